/**
 * The dependency direction eslint.config.mjs enforces: pure logic (contracts, config, lib, the edge
 * renderer) imports no resource, service, tooling or test; contracts only contracts; program/lib/ nothing of
 * program/config/; nothing but tests imports tests/. Linted as virtual files at real paths, so a rule that
 * stops matching (a renamed folder, a rewritten config) fails here rather than going quiet.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ESLint } from "eslint";

const ROOT = join(__dirname, "..", "..");
const eslint = new ESLint({ cwd: ROOT });

async function restricted(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const use = (specifier: string) => `import * as m from "${specifier}";\nexport const used = m;\n`;

describe("dependency direction (eslint no-restricted-imports)", () => {
  for (const [file, specifier, why] of [
    ["program/config/x.ts", "../../components/tenant", /Pulumi resources/],
    ["program/config/x.ts", "../index", /Pulumi resources/],
    ["cf-proxy/x.ts", "../program", /Pulumi resources/],
    ["program/config/x.ts", "../../runner/invoke", /service/],
    ["program/lib/x.ts", "../config/schema", /lib\/ sits below config\//],
    ["program/lib/x.ts", "@pulumi/pulumi", /knows no Pulumi/],
    ["program/contracts/x.ts", "../lib/naming", /contracts import only contracts/],
    ["cf-proxy/x.ts", "../program/config/schema", /stands alone/],
    ["program/config/x.ts", "../../tests/pulumi/harness", /tooling or tests/],
    ["program/config/x.ts", "../../tools/bench/phases", /tooling or tests/],
    ["scripts/x.ts", "../tests/pulumi/harness", /only tests import tests/],
    ["components/x.ts", "../tests/pulumi/harness", /only tests import tests/],
  ] as const) {
    test(`${file} importing ${specifier} is refused`, async () => {
      const messages = await restricted(file, use(specifier));
      assert.equal(messages.length, 1, `expected one restriction, got ${JSON.stringify(messages)}`);
      assert.match(messages[0], why);
    });
  }

  for (const [file, specifier] of [
    ["program/config/x.ts", "../contracts/hosts"],
    ["program/config/x.ts", "../lib/naming"],
    ["program/config/x.ts", "../../cf-proxy"],
    ["program/lib/x.ts", "../contracts/target"],
    ["components/x.ts", "../program/config/schema"],
    ["cf-proxy/x.ts", "../program/contracts/hosts"],
    ["program/config/x.test.ts", "../../components/tenant"],
  ] as const) {
    test(`${file} importing ${specifier} is allowed`, async () => {
      assert.deepEqual(await restricted(file, use(specifier)), []);
    });
  }
});
