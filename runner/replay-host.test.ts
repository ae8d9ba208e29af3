/**
 * TypeScript replays in worker threads of one host process keep the isolation a process per replay
 * gave: a hang (async or a synchronous loop) times out, what a replay started (child processes) dies
 * with it, a worker that cannot be stopped takes only the host down (a new one runs the rest), a host
 * that dies fails only the replays it was running, nothing one replay leaves reaches the next, and
 * output is capped.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { ReplayResult, ReplaySummary } from "../program/contracts/summary";
import { runReplays } from "./run";
import {
  byName,
  expectResult as expectResultIn,
  isAlive,
  lines,
  makeReplayDir,
  makeTarget,
  SEED,
  tsReplay,
  waitFor,
} from "./test-support/fixtures";

const pidOf = (file: string) => Number(readFileSync(file, "utf8").trim());

describe("TypeScript replays in the replay host", () => {
  const dir = makeReplayDir();
  const pids = join(dir.root, "pids");
  const progress = lines();
  let summary: ReplaySummary;
  let results: Map<string, ReplayResult>;

  before(async () => {
    const spawnSleep = (tag: string) =>
      `const cp = await import("node:child_process"); const fs = await import("node:fs");
       const child = cp.spawn("sleep", ["300"], { stdio: "ignore" });
       fs.writeFileSync(${JSON.stringify(pids)} + ".${tag}", String(child.pid));`;
    dir.write(
      "a-busy-loop.ts",
      tsReplay(`{ closes: null, proves: "x", timeoutSeconds: 1, run() { for (;;) {} } }`),
    );
    dir.write(
      "b-child-then-hang.ts",
      tsReplay(
        `{ closes: null, proves: "x", timeoutSeconds: 1, async run(ctx) { ${spawnSleep("b")} await ctx.sleep(60_000); } }`,
      ),
    );
    dir.write(
      "c-leaves-a-child.ts",
      tsReplay(`{ closes: null, proves: "left a child behind", async run() { ${spawnSleep("c")} } }`),
    );
    dir.write(
      "d-sets-a-global.ts",
      tsReplay(
        `{ closes: null, proves: "x", run() { (globalThis as Record<string, unknown>).leak = "d"; process.env.LEAK = "d"; } }`,
      ),
    );
    dir.write(
      "e-sees-no-global.ts",
      tsReplay(`{ closes: null, proves: "nothing leaked", run(ctx) {
        ctx.assert.expectEqual((globalThis as Record<string, unknown>).leak, undefined, "global of d");
        ctx.assert.expectEqual(process.env.LEAK, undefined, "env of d");
        ctx.assert.expectEqual(process.env.HARNESS_REPLAY, "e-sees-no-global", "HARNESS_REPLAY");
        ctx.assert.expectEqual(ctx.env.HARNESS_REPLAY, "e-sees-no-global", "ctx.env");
        ctx.assert.expectEqual(process.cwd(), ${JSON.stringify(dir.root)}, "working directory");
      } }`),
    );
    dir.write(
      "f-unhandled-rejection.ts",
      tsReplay(
        `{ closes: null, proves: "x", async run(ctx) { void Promise.reject(new Error("nobody awaited me")); await ctx.sleep(2000); } }`,
      ),
    );
    dir.write(
      "g-throws-with-a-stack.ts",
      tsReplay(`{ closes: null, proves: "x",
        run() {
          throw new TypeError("mapped");
        } }`),
    );
    dir.write(
      "h-floods.ts",
      tsReplay(`{ closes: null, proves: "x", async run() {
        const line = "y".repeat(999) + "\\n";
        for (let i = 0; i < 3000; i++) await new Promise<void>((r) => process.stdout.write(line, () => r()));
        throw new Error("after the flood");
      } }`),
    );
    dir.write(
      "i-kills-its-host.ts",
      tsReplay(`{ closes: null, proves: "x", run() { process.kill(process.pid, "SIGKILL"); } }`),
    );
    dir.write(
      "j-after-the-host-died.ts",
      tsReplay(`{ closes: null, proves: "a new host ran me", run() {} }`),
    );
    // The worker blocks in a synchronous child process: terminate() cannot stop it, the host must go.
    dir.write(
      "k-stuck-in-native-code.ts",
      tsReplay(`{ closes: null, proves: "x", timeoutSeconds: 1, async run() {
        const cp = await import("node:child_process");
        cp.execFileSync("sleep", ["300"]);
      } }`),
    );
    dir.write("l-after-the-stuck-one.ts", tsReplay(`{ closes: null, proves: "still runs", run() {} }`));

    summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports }),
      seed: SEED,
      killGraceMs: 300,
      maxOutputBytes: 1024 * 1024,
      progress: progress.push,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    results = byName(summary);
  });

  const expectResult = (name: string, status: string, message?: RegExp) =>
    expectResultIn(results, name, status, message);

  test("a synchronous busy loop and an async hang time out", () => {
    expectResult("a-busy-loop", "FAIL", /^timed out after 1s$/);
    expectResult("b-child-then-hang", "FAIL", /^timed out after 1s$/);
  });

  test("child processes a replay started die with it: on a timeout and when it ends", async () => {
    expectResult("c-leaves-a-child", "PASS", /^left a child behind$/);
    for (const tag of ["b", "c"]) {
      const pid = pidOf(`${pids}.${tag}`);
      assert.ok(await waitFor(() => !isAlive(pid), 3000), `the child of ${tag} (${pid}) is gone`);
    }
  });

  test("nothing one replay leaves (globals, env) reaches the next; env and cwd as for bash replays", () => {
    expectResult("d-sets-a-global", "PASS");
    expectResult("e-sees-no-global", "PASS", /^nothing leaked$/);
  });

  test("an unhandled rejection is that replay's FAIL", () => {
    expectResult("f-unhandled-rejection", "FAIL", /^unhandled rejection: nobody awaited me$/);
  });

  test("a thrown error: its type in the message, its stack (source-mapped to the .ts) in the output", () => {
    expectResult("g-throws-with-a-stack", "FAIL", /^TypeError: mapped$/);
    const output = readFileSync(join(dir.reports, "output", "g-throws-with-a-stack.log"), "utf8");
    assert.match(output, /g-throws-with-a-stack\.ts:4:\d+/, output);
  });

  test("output is capped in the file, scanned whole", () => {
    expectResult("h-floods", "FAIL", /^after the flood$/);
    const file = join(dir.reports, "output", "h-floods.log");
    assert.ok(statSync(file).size < 1024 * 1024 + 4096);
    assert.match(readFileSync(file, "utf8"), /output truncated: the file keeps the first 1\.0 MB/);
  });

  test("a replay that kills its host fails alone; the next one gets a new host", () => {
    expectResult(
      "i-kills-its-host",
      "FAIL",
      /the replay host process exited unexpectedly \(killed by SIGKILL\)/,
    );
    expectResult("j-after-the-host-died", "PASS", /^a new host ran me$/);
  });

  test("a worker stuck in native code: the host goes (its sync child with it), the run goes on", () => {
    expectResult("k-stuck-in-native-code", "FAIL", /^timed out after 1s$/);
    expectResult("l-after-the-stuck-one", "PASS");
    assert.ok((results.get("k-stuck-in-native-code")?.durationMs ?? 0) < 10_000);
  });

  test("the counts", () => {
    assert.equal(summary.total, 12);
    assert.equal(summary.passed, 5, JSON.stringify(summary.results, null, 1));
  });
});

describe("a replay stuck in native code while others run beside it", () => {
  test("the host is stopped: the stuck one timed out, the one beside it FAILs saying why", async () => {
    const dir = makeReplayDir();
    dir.write(
      "a-stuck.ts",
      tsReplay(`{ closes: null, proves: "x", independent: true, timeoutSeconds: 1, async run() {
        const cp = await import("node:child_process");
        cp.execFileSync("sleep", ["300"]);
      } }`),
    );
    dir.write(
      "b-beside.ts",
      tsReplay(
        `{ closes: null, proves: "x", independent: true, async run(ctx) { await ctx.sleep(20_000); } }`,
      ),
    );
    const summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports }),
      seed: SEED,
      concurrency: 2,
      killGraceMs: 300,
      progress: () => undefined,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    const results = byName(summary);
    assert.equal(results.get("a-stuck")?.message, "timed out after 1s");
    assert.equal(results.get("b-beside")?.status, "FAIL");
    assert.match(
      results.get("b-beside")?.message ?? "",
      /^the replay host process was stopped because a-stuck could not be: its worker thread did not end/,
    );
  });
});
