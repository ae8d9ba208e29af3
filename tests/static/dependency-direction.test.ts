/**
 * The dependency direction eslint.config.mjs enforces: pure logic (contracts, config, lib, the edge
 * renderer) imports no resource, service, tooling or test; contracts only contracts; lib/ nothing of
 * config/; nothing but tests imports tests/. Linted as virtual files at real paths, so a rule that
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
    ["config/x.ts", "../components/tenant", /Pulumi resources/],
    ["config/x.ts", "../runner/invoke", /service/],
    ["lib/x.ts", "../config/schema", /lib\/ sits below config/],
    ["lib/x.ts", "@pulumi/pulumi", /knows no Pulumi/],
    ["contracts/x.ts", "../lib/naming", /contracts import only contracts/],
    ["cf-proxy/x.ts", "../config/schema", /stands alone/],
    ["config/x.ts", "../tests/pulumi/harness", /tooling or tests/],
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
    ["config/x.ts", "../contracts/hosts"],
    ["config/x.ts", "../lib/naming"],
    ["config/x.ts", "../cf-proxy"],
    ["lib/x.ts", "../contracts/target"],
    ["components/x.ts", "../config/schema"],
    ["config/x.test.ts", "../components/tenant"],
  ] as const) {
    test(`${file} importing ${specifier} is allowed`, async () => {
      assert.deepEqual(await restricted(file, use(specifier)), []);
    });
  }
});
