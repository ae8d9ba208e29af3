/**
 * README.md must match the code (its config table is generated: scripts/config-docs.test.ts): every stack output, every
 * `npm run <script>` it names, and every repository file it links to.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { load } from "./test-support";
import { REPO_ROOT } from "./load-program";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** First two cells of the README table row whose first column is `key` in backticks. */
function row(key: string): string[] {
  const line = readme.split("\n").find((l) => l.split("|")[1]?.trim() === `\`${key}\``);
  assert.ok(line, `README.md has a table row for ${key}`);
  return line
    .split("|")
    .map((cell) => cell.trim())
    .slice(1, -1);
}

test("README: every stack output has a row", async () => {
  const result = await load({});
  assert.equal(result.error, undefined);
  for (const key of Object.keys(result.outputs)) row(key);
});

test("README: every npm script it names exists", () => {
  const scripts = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<
    string,
    string
  >;
  const named = [...readme.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]);
  assert.ok(named.length > 5);
  for (const name of named) assert.ok(scripts[name], `package.json has the script ${name}`);
});

// Folders the harness writes at run time (not in git), and paths inside a user's own checkout.
const RUN_TIME_OR_FOREIGN = [".harness/", ".pulumi/", "artifacts/", "workspace-server/", "../"];

test("README: every linked or named repository path exists", () => {
  const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)]
    .map((m) => m[1])
    .filter((l) => !l.includes("://"));
  const paths = [...readme.matchAll(/`((?:[a-z0-9_.-]+\/)+[a-z0-9_.-]*)`/gi)].map((m) => m[1]);
  const checked = [...links, ...paths].filter((p) => !p.includes("<") && !p.includes("*"));
  assert.ok(checked.length > 10);
  for (const path of checked) {
    if (RUN_TIME_OR_FOREIGN.some((prefix) => path.startsWith(prefix))) continue;
    assert.ok(existsSync(join(REPO_ROOT, path)), `${path} exists`);
  }
});
