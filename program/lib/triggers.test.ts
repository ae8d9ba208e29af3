import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { hashTree, replayInputsHash, suiteInputsHash } from "./triggers";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "harness-hash-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, content: string): void {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), content);
}

test("same paths and bytes → same hash, whatever the mtimes or creation order", () => {
  write("replays/b.sh", "echo b");
  write("replays/a.ts", "export {}");
  write("replays/lib/helpers.sh", "x");
  const first = hashTree(["replays"], root);
  utimesSync(join(root, "replays/a.ts"), new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.equal(hashTree(["replays"], root), first, "mtime is ignored");

  const other = mkdtempSync(join(tmpdir(), "harness-hash-"));
  try {
    mkdirSync(join(other, "replays/lib"), { recursive: true });
    writeFileSync(join(other, "replays/lib/helpers.sh"), "x");
    writeFileSync(join(other, "replays/a.ts"), "export {}");
    writeFileSync(join(other, "replays/b.sh"), "echo b");
    assert.equal(hashTree(["replays"], other), first, "another checkout with the same files");
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test("an edited, added, removed or renamed file changes the hash", () => {
  write("replays/a.sh", "echo a");
  const base = hashTree(["replays"], root);
  write("replays/a.sh", "echo A");
  const edited = hashTree(["replays"], root);
  assert.notEqual(edited, base);
  write("replays/a.sh", "echo a");
  assert.equal(hashTree(["replays"], root), base, "reverting the edit restores the hash");
  write("replays/.helpers.sh", "x");
  assert.notEqual(hashTree(["replays"], root), base, "dotfiles count (sourced helpers)");
  rmSync(join(root, "replays/.helpers.sh"));
  rmSync(join(root, "replays/a.sh"));
  write("replays/b.sh", "echo a");
  assert.notEqual(hashTree(["replays"], root), base, "a rename with the same content");
});

test("node_modules, dist and .harness are ignored; a missing root hashes deterministically", () => {
  write("replays/a.sh", "echo a");
  const base = hashTree(["replays", "runner"], root);
  write("replays/node_modules/x/index.js", "junk");
  write("replays/dist/out.js", "junk");
  write("replays/.harness/report.json", "{}");
  assert.equal(hashTree(["replays", "runner"], root), base);
  write("runner/cli.ts", "export {}");
  assert.notEqual(hashTree(["replays", "runner"], root), base, "the runner appearing changes it");
});

test("replayInputsHash covers the replays, the runner and the contracts", () => {
  write("replays/a.sh", "echo a");
  write("runner/cli.ts", "1");
  write("program/contracts/summary.ts", "1");
  const base = replayInputsHash(root, join(root, "replays"));
  for (const file of ["replays/a.sh", "runner/cli.ts", "program/contracts/summary.ts"]) {
    write(file, "2");
    assert.notEqual(replayInputsHash(root, join(root, "replays")), base, file);
    write(file, file === "replays/a.sh" ? "echo a" : "1");
  }
  assert.equal(replayInputsHash(root, join(root, "replays")), base);
  write("cp-stub/src/main.ts", "1");
  assert.equal(
    replayInputsHash(root, join(root, "replays")),
    base,
    "service sources reach the trigger via image digests, not here",
  );
});

test("suiteInputsHash: a suite's config and cwd files count; what running it writes does not", () => {
  write("e2e/test_api.py", "def test(): pass");
  write("e2e/conftest.py", "");
  const suites = [
    {
      name: "api",
      command: "python3 -m pytest",
      cwd: "e2e",
      timeoutSeconds: 60,
      junit: ".junit/${HARNESS_STACK}.xml",
    },
  ];
  const base = suiteInputsHash(root, suites);
  for (const output of [
    "e2e/.junit/e2e.xml",
    "e2e/.junit/t123-0-life.xml",
    "e2e/__pycache__/test_api.cpython-311.pyc",
    "e2e/.pytest_cache/v/cache/lastfailed",
    "e2e/node_modules/x/index.js",
  ]) {
    write(output, "written by a run");
    assert.equal(suiteInputsHash(root, suites), base, `${output} is run output`);
  }
  write("e2e/test_api.py", "def test(): assert False");
  const edited = suiteInputsHash(root, suites);
  assert.notEqual(edited, base, "an edited test re-runs");
  write("e2e/test_api.py", "def test(): pass");
  assert.equal(suiteInputsHash(root, suites), base);
  for (const changed of [
    { ...suites[0], command: "python3 -m pytest -x" },
    { ...suites[0], timeoutSeconds: 61 },
    { ...suites[0], name: "api2" },
  ]) {
    assert.notEqual(suiteInputsHash(root, [changed]), base, JSON.stringify(changed));
  }
  write("elsewhere/x.sh", "1");
  assert.equal(suiteInputsHash(root, suites), base, "files outside the suite's cwd do not count");
  assert.notEqual(suiteInputsHash(root, []), base);
});
