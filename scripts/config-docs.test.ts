/** The config tables of README.md and docs/pulumi.md are the schema's: generated, never edited by hand. */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { shownDefault } from "../program/config/docs";
import { CONFIG_KEYS, DEFAULT_EDGE } from "../program/config/schema";
import { configDocs, REPO_ROOT, TABLE_FILES } from "./config-docs";

test("README.md and docs/pulumi.md hold the tables the schema generates (else: npm run docs:config)", async () => {
  for (const { file, current, wanted } of await configDocs()) {
    assert.ok(
      current === wanted,
      `${file}: the config table differs from program/config/schema.ts; run: npm run docs:config`,
    );
  }
});

test("every key has a row with the schema's default", async () => {
  const docs = readFileSync(join(REPO_ROOT, "docs", "pulumi.md"), "utf8");
  for (const key of CONFIG_KEYS) {
    const row = docs.split("\n").find((l) => l.split("|")[1]?.trim() === `\`${key}\``);
    assert.ok(row, `docs/pulumi.md has a row for ${key}`);
    assert.ok(row.includes(shownDefault(key)), `${key}: ${shownDefault(key)}`);
  }
  assert.equal(
    shownDefault("edge"),
    `\`{port: ${DEFAULT_EDGE.port}, bindAddress: 127.0.0.1, forwardedProto: https, readTimeoutSeconds: 100, maxBodySize: 100m}\``,
  );
});

test("a hand edit of a generated table is caught", async () => {
  const root = mkdtempSync(join(tmpdir(), "config-docs-"));
  try {
    for (const [file] of TABLE_FILES) cpSync(join(REPO_ROOT, file), join(root, file), { recursive: true });
    cpSync(join(REPO_ROOT, ".prettierrc.json"), join(root, ".prettierrc.json"));
    const readme = join(root, "README.md");
    writeFileSync(readme, readFileSync(readme, "utf8").replace("`{port: 8080,", "`{port: 9090,"));
    const stale = (await configDocs(root)).filter((d) => d.current !== d.wanted).map((d) => d.file);
    assert.deepEqual(stale, ["README.md"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
