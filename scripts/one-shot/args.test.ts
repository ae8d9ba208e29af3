/** `npm run harness -- [--stack <name>] [--only <glob>]…` (args.ts) and the `--only` config override. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { onlyConfig, parseHarnessArgs } from "./args";
import { replaysOfStack } from "./stack-file";

const root = mkdtempSync(join(tmpdir(), "harness-args-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("--stack wins over HARNESS_STACK, which wins over the default; --only repeats", () => {
  assert.deepEqual(parseHarnessArgs([], {}), { stack: "harness", only: [] });
  assert.deepEqual(parseHarnessArgs([], { HARNESS_STACK: "ci-1" }), { stack: "ci-1", only: [] });
  assert.deepEqual(
    parseHarnessArgs(["--stack", "e2e", "--only", "peer-*", "--only", "x.sh"], { HARNESS_STACK: "ci-1" }),
    {
      stack: "e2e",
      only: ["peer-*", "x.sh"],
    },
  );
});

test("a bad argument is one line saying what is wrong", () => {
  assert.match(String(parseHarnessArgs(["--keep"], {})), /Unknown option '--keep'/);
  assert.match(String(parseHarnessArgs(["e2e"], {})), /Unexpected argument 'e2e'/);
  assert.match(String(parseHarnessArgs(["--only"], {})), /argument missing/);
  assert.equal(parseHarnessArgs(["--stack", " "], {}), "--stack needs a stack name, e.g. --stack e2e");
  assert.equal(parseHarnessArgs(["--only", ""], {}), "--only needs a glob, e.g. --only 'tenant-*'");
});

test("--only replaces harness:replays.include for the up and keeps the stack's other replays settings", () => {
  writeFileSync(
    join(root, "Pulumi.a.yaml"),
    "config:\n  harness:replays:\n    dir: my-replays\n    include: [tenant-*]\n    exclude: [canary-*]\n",
  );
  assert.equal(onlyConfig(root, "a", []), undefined, "no --only: no override");
  assert.deepEqual(onlyConfig(root, "a", ["peer-discovery-404"]), {
    "harness:replays": { dir: "my-replays", include: ["peer-discovery-404"], exclude: ["canary-*"] },
  });
  assert.deepEqual(
    onlyConfig(root, "none", ["x"]),
    { "harness:replays": { include: ["x"] } },
    "no stack file",
  );
});

test("replaysOfStack reads the object, the CLI's JSON string form, and nothing else", () => {
  writeFileSync(join(root, "Pulumi.b.yaml"), `config:\n  harness:replays: '{"dir":"r","concurrency":2}'\n`);
  assert.deepEqual(replaysOfStack(root, "b"), { dir: "r", concurrency: 2 });
  writeFileSync(join(root, "Pulumi.c.yaml"), "config:\n  harness:replays: [1]\n");
  assert.deepEqual(replaysOfStack(root, "c"), {});
  writeFileSync(join(root, "Pulumi.d.yaml"), "encryptionsalt: v1:x\n");
  assert.deepEqual(replaysOfStack(root, "d"), {});
});
