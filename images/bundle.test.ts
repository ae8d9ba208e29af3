/** images/bundle.ts: deterministic bundles, unchanged bytes left alone, changed files replaced whole. */
import assert from "node:assert/strict";
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bundleService } from "./bundle";

const REPO = join(__dirname, "..");
let root: string;

before(() => {
  // A scratch root (sources linked in), so the repo's own cp-stub/dist is left alone.
  root = mkdtempSync(join(tmpdir(), "bundle-"));
  mkdirSync(join(root, "cp-stub"));
  mkdirSync(join(root, "images"));
  symlinkSync(join(REPO, "cp-stub", "src"), join(root, "cp-stub", "src"));
  copyFileSync(join(REPO, "images", "healthcheck.cjs"), join(root, "images", "healthcheck.cjs"));
});

after(() => rmSync(root, { recursive: true, force: true }));

const mainJs = () => join(root, "cp-stub", "dist", "main.js");

test("same sources give the same hash and leave unchanged files untouched", () => {
  const first = bundleService("cp-stub", root);
  const mtime = statSync(mainJs()).mtimeMs;
  const inode = statSync(mainJs()).ino;
  assert.equal(bundleService("cp-stub", root), first);
  assert.equal(statSync(mainJs()).mtimeMs, mtime);
  assert.equal(statSync(mainJs()).ino, inode);
  assert.deepEqual(readdirSync(join(root, "cp-stub")).sort(), ["dist", "src"], "no staging file left behind");
});

// A reader holding the old file (a concurrent docker build's context tar) must see it whole: the
// new bundle arrives as a new file renamed over the old, never as the old one truncated and refilled.
test("a changed bundle replaces the file whole instead of rewriting it in place", () => {
  bundleService("cp-stub", root);
  writeFileSync(mainJs(), "stale bundle");
  const fd = openSync(mainJs(), "r");
  try {
    bundleService("cp-stub", root);
    const buffer = Buffer.alloc(64);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    assert.equal(buffer.subarray(0, read).toString(), "stale bundle", "the open file was rewritten in place");
  } finally {
    closeSync(fd);
  }
  assert.notEqual(readFileSync(mainJs(), "utf8"), "stale bundle");
});
