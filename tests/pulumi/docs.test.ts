/**
 * docs/pulumi.md must match the code: every output is documented, the commands are real (the config
 * table is generated from the schema: scripts/config-docs.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { load } from "./test-support";
import { REPO_ROOT } from "./load-program";

const doc = readFileSync(join(REPO_ROOT, "docs", "pulumi.md"), "utf8");

/** The cells of the table row documenting `key` (first column is `key` in backticks), trimmed. */
function row(key: string): string[] {
  const line = doc
    .split("\n")
    .find((l) => /^\| `[^`]+` +\|/.test(l) && l.split("|")[1].trim() === `\`${key}\``);
  assert.ok(line, `docs/pulumi.md has a row for ${key}`);
  return line
    .split("|")
    .map((cell) => cell.trim())
    .slice(1, -1);
}

test("every stack output has a row", async () => {
  const result = await load({});
  assert.equal(result.error, undefined);
  for (const key of Object.keys(result.outputs)) row(key);
});

test("the documented commands name the real stack, passphrase and test script", () => {
  assert.match(doc, /export PULUMI_CONFIG_PASSPHRASE=harness-local-only/);
  assert.match(doc, /pulumi up --stack harness --yes/);
  assert.match(doc, /pulumi destroy --stack harness --yes/);
  assert.match(doc, /pulumi stack output --stack harness --json/);
  const scripts = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<
    string,
    string
  >;
  assert.ok(scripts["test:pulumi"], "npm run test:pulumi exists");
  assert.ok(
    doc.includes(scripts["test:pulumi"].replace("node --import tsx --test ", "")),
    "the documented test command",
  );
});
