/** docs/pulumi.md must match the code: every config key, its default, and every output are documented. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  CONFIG_KEYS,
  DEFAULT_BASE_IMAGES,
  DEFAULT_EDGE,
  DEFAULT_GIT_SHA,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REPLAYS,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
} from "../../config/schema";
import { load } from "./harness";
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

test("every config key has a row with its default", () => {
  for (const key of CONFIG_KEYS) row(key);
  assert.equal(row("gitSha")[1], `\`${DEFAULT_GIT_SHA}\``);
  assert.equal(row("rateLimit")[1], `\`${DEFAULT_RATE_LIMIT}\``);
  assert.equal(row("waitTimeoutSeconds")[1], `\`${DEFAULT_WAIT_TIMEOUT_SECONDS}\``);
  for (const [k, v] of Object.entries(DEFAULT_BASE_IMAGES))
    assert.ok(row("baseImages")[1].includes(`${k}: ${v}`), k);
  for (const [k, v] of Object.entries(DEFAULT_EDGE)) assert.ok(row("edge")[1].includes(`${k}: ${v}`), k);
  const replays = row("replays")[1];
  for (const k of ["timeoutSeconds", "concurrency", "rerun"] as const) {
    assert.ok(replays.includes(`${k}: ${DEFAULT_REPLAYS[k]}`), k);
  }
  assert.ok(replays.includes(`dir: ${DEFAULT_REPLAYS.dir}`));
});

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
