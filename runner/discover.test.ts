import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { discoverReplays, filterReplays, listReplays } from "./discover";
import { HarnessError } from "./errors";
import { schedule } from "./schedule";
import { parseShellHeader } from "./shell-header";
import { makeReplayDir } from "./test-support/fixtures";

describe("discovery", () => {
  test("lists *.ts and *.sh alphabetically; helpers, program/lib/, tests and other files are not replays", () => {
    const dir = makeReplayDir();
    for (const name of [
      "tenant-isolation.sh",
      "buildinfo-stale-image.ts",
      "peer-discovery-404.sh",
      "_curl.sh",
      "_helpers.ts",
      "types.d.ts",
      "tenant-isolation-helper.test.ts",
      "README.md",
      "notes.txt",
      ".hidden.sh",
    ]) {
      dir.write(name, "");
    }
    dir.write("program/lib/shared.sh", "");
    dir.write("program/lib/util.ts", "");
    mkdirSync(join(dir.replays, "dir.sh"));
    const replays = listReplays(dir.replays);
    assert.deepEqual(
      replays.map((r) => [r.name, r.kind]),
      [
        ["buildinfo-stale-image", "ts"],
        ["peer-discovery-404", "sh"],
        ["tenant-isolation", "sh"],
      ],
    );
    assert.equal(replays[0].file, join(dir.replays, "buildinfo-stale-image.ts"));
  });

  test("include/exclude globs match the name or the file name", () => {
    const dir = makeReplayDir();
    for (const name of ["a-one.ts", "a-two.sh", "b-three.ts", "c-four.sh"]) dir.write(name, "");
    const all = listReplays(dir.replays);
    const names = (include: string[], exclude: string[] = []) =>
      filterReplays(all, include, exclude).map((r) => r.name);
    assert.deepEqual(names([]), ["a-one", "a-two", "b-three", "c-four"]);
    assert.deepEqual(names(["a-*"]), ["a-one", "a-two"]);
    assert.deepEqual(names(["*.sh"]), ["a-two", "c-four"]);
    assert.deepEqual(names(["a-*", "c-four"]), ["a-one", "a-two", "c-four"]);
    assert.deepEqual(names([], ["*.ts"]), ["a-two", "c-four"]);
    assert.deepEqual(names(["a-*"], ["a-two"]), ["a-one"]);
    assert.deepEqual(names(["{b,c}-*"]), ["b-three", "c-four"]);
  });

  test("harness errors: missing dir, not a dir, empty dir, filters matching nothing, name clash", () => {
    const dir = makeReplayDir();
    assert.throws(
      () => discoverReplays({ dir: join(dir.root, "nope") }),
      (e: Error) => {
        assert.ok(e instanceof HarnessError);
        assert.match(e.message, /does not exist/);
        return true;
      },
    );
    writeFileSync(join(dir.root, "file"), "");
    assert.throws(() => discoverReplays({ dir: join(dir.root, "file") }), /is not a directory/);
    dir.write("_only-helper.sh", "");
    assert.throws(() => discoverReplays({ dir: dir.replays }), /no replay \(\*\.ts or \*\.sh\) in/);
    dir.write("x.sh", "");
    assert.throws(
      () => discoverReplays({ dir: dir.replays, include: ["y*"], exclude: ["z"] }),
      /no replay matches --include y\* --exclude z; available: x/,
    );
    dir.write("x.ts", "");
    assert.throws(() => discoverReplays({ dir: dir.replays }), /share the replay name "x"/);
    rmSync(dir.root, { recursive: true, force: true });
  });
});

describe("shell replay header", () => {
  test("reads replay-xfail / closes / proves / timeout from the leading comments only", () => {
    const source = [
      "#!/usr/bin/env bash",
      "# Replay: peer discovery — closes #2397 (runtime fix #2399)",
      "#",
      "# replay-xfail: #2865 helper moved into the runtime package",
      "# replay-proves: the wire answers 404",
      "# replay-timeout: 45",
      "set -euo pipefail",
      "# replay-xfail: not a header any more",
    ].join("\n");
    assert.deepEqual(parseShellHeader(source), {
      closes: "#2397",
      xfail: "#2865 helper moved into the runtime package",
      proves: "the wire answers 404",
      timeoutSeconds: 45,
    });
  });

  test("explicit replay-closes wins, null means none; bad timeout ignored; empty xfail still declares", () => {
    assert.deepEqual(parseShellHeader("# closes #1\n# replay-closes: #2\n"), { closes: "#2" });
    assert.deepEqual(parseShellHeader("# closes #1\n# replay-closes: null\n"), { closes: null });
    assert.deepEqual(parseShellHeader("# replay-timeout: soon\n# replay-xfail:\n"), {
      closes: null,
      xfail: "declared expected failure",
    });
    assert.deepEqual(parseShellHeader("echo hi\n# replay-xfail: x\n"), { closes: null });
  });
});

describe("schedule", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test("independent items overlap up to the concurrency; others run alone, in order", async () => {
    const items = [
      { id: "a", independent: true },
      { id: "b", independent: true },
      { id: "c", independent: true },
      { id: "serial", independent: false },
      { id: "d", independent: true },
      { id: "e", independent: true },
    ];
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const overlapWithSerial: string[] = [];
    let serialRunning = false;
    await schedule(items, {
      concurrency: 2,
      independent: (i) => i.independent,
      run: async (item) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (serialRunning || (item.id === "serial" && running > 1)) overlapWithSerial.push(item.id);
        if (item.id === "serial") serialRunning = true;
        events.push(`start ${item.id}`);
        await sleep(30);
        events.push(`end ${item.id}`);
        if (item.id === "serial") serialRunning = false;
        running--;
      },
    });
    assert.equal(maxRunning, 2);
    assert.deepEqual(overlapWithSerial, []);
    assert.ok(events.indexOf("start serial") > events.lastIndexOf("end c"));
    assert.ok(events.indexOf("start d") > events.indexOf("end serial"));
  });

  test("concurrency 1 never overlaps; stopped() stops starting new items", async () => {
    let running = 0;
    let maxRunning = 0;
    let count = 0;
    const started = await schedule([1, 2, 3, 4], {
      concurrency: 1,
      independent: () => true,
      run: async () => {
        running++;
        count++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(5);
        running--;
      },
      stopped: () => count >= 2,
    });
    assert.equal(maxRunning, 1);
    assert.deepEqual([...started], [0, 1]);
  });
});
