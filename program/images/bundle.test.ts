/** program/images/bundle.ts: deterministic bundles, unchanged bytes left alone, changed files replaced whole. */
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
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bundleService } from "./bundle";

const REPO = join(__dirname, "..", "..");
let root: string;

before(() => {
  // A scratch root (sources linked in), so the repo's own cp-stub/dist is left alone.
  root = mkdtempSync(join(tmpdir(), "bundle-"));
  mkdirSync(join(root, "cp-stub"));
  mkdirSync(join(root, "program", "images"), { recursive: true });
  symlinkSync(join(REPO, "cp-stub", "src"), join(root, "cp-stub", "src"));
  copyFileSync(
    join(REPO, "program", "images", "healthcheck.cjs"),
    join(root, "program", "images", "healthcheck.cjs"),
  );
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
  assert.deepEqual(
    readdirSync(join(root, "cp-stub")).sort(),
    [".dist-stamp.json", "dist", "src"],
    "no staging file left behind (the stamp stays, outside dist/)",
  );
});

test("an unchanged tree is not bundled again; an edited input, or an output changed by hand, is", () => {
  // A whole-second mtime, so the test can put it back exactly (utimes loses sub-millisecond parts).
  const input = join(root, "program", "images", "healthcheck.cjs");
  const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  utimesSync(input, when, when);
  const first = bundleService("cp-stub", root);
  const stamp = join(root, "cp-stub", ".dist-stamp.json");
  assert.match(readFileSync(stamp, "utf8"), /cp-stub\/src\/main\.ts/, "the stamp lists what esbuild read");
  assert.equal(bundleService("cp-stub", root), first, "the same hash, from what is there");

  // Proof that nothing was rebuilt: an input changed behind the stamp's back (same size, same mtime)
  // is not picked up; once its mtime moves, as any real edit's does, it is.
  const original = readFileSync(input);
  const sameSize = Buffer.from(
    original.toString("latin1").replace(/[a-z]/, (c) => (c === "a" ? "b" : "a")),
    "latin1",
  );
  writeFileSync(input, sameSize);
  utimesSync(input, when, when);
  bundleService("cp-stub", root);
  const healthcheckJs = join(root, "cp-stub", "dist", "healthcheck.js");
  assert.deepEqual(readFileSync(healthcheckJs), original, "skipped: the stamp saw no change");
  utimesSync(input, when, new Date(when.getTime() + 5000));
  bundleService("cp-stub", root);
  assert.deepEqual(readFileSync(healthcheckJs), sameSize, "an edited input is bundled");
  writeFileSync(input, original);

  // An output edited by hand: rebuilt.
  writeFileSync(mainJs(), "tampered");
  bundleService("cp-stub", root);
  assert.notEqual(readFileSync(mainJs(), "utf8"), "tampered");
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
