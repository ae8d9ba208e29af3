/**
 * The runner against small fixture replays in temp dirs: every way a replay can misbehave, the
 * statuses, the reports parsed back, artifacts, concurrency and interruption.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { XMLParser, XMLValidator } from "fast-xml-parser";
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

const TEN_MB = 10 * 1024 * 1024;

function pidFrom(file: string): number {
  return Number(readFileSync(file, "utf8").trim());
}

describe("runReplays: a suite of misbehaving replays", () => {
  const dir = makeReplayDir();
  const pids = join(dir.root, "pids");
  const stepSummary = join(dir.root, "step-summary.md");
  const existingLog = join(dir.root, "tenant.log");
  const progress = lines();
  const logCalls: string[] = [];
  let summary: ReplaySummary;
  let results: Map<string, ReplayResult>;

  before(async () => {
    writeFileSync(existingLog, "tenant log line\n");
    writeFileSync(stepSummary, "previous step\n");
    dir.write(
      "a-pass.ts",
      tsReplay(`{ closes: "#1", proves: "a passes", async run(ctx) { ctx.log("hi from", ctx.name); } }`),
    );
    dir.write(
      "b-throw.ts",
      tsReplay(
        `{ closes: "#2", proves: "x", run() { throw new Error("cross-tenant read leaked 2 rows\\nsecond line"); } }`,
      ),
    );
    dir.write("c-exit3.ts", tsReplay(`{ closes: null, proves: "x", run() { process.exit(3); } }`));
    dir.write(
      "d-pending.ts",
      tsReplay(`{ closes: null, proves: "x", run() { return new Promise<void>(() => {}); } }`),
    );
    dir.write("e-syntax.ts", `import { defineReplay } from "x";\nexport default defineReplay({ closes: \n`);
    dir.write("f-noexport.ts", `export const nothing = 1;\n`);
    dir.write("g-exit.sh", `echo "[replay] about to fail"\nexit 3\n`);
    dir.write("h-noexec.sh", `echo "[replay] PASS: ran without +x"\n`, 0o644);
    dir.write(
      "i-hang.sh",
      `# replay-timeout: 1\nsleep 300 &\necho $! > "${pids}.i"\necho "[replay] waiting forever"\nwait\n`,
    );
    dir.write(
      "j-hang-ignores-term.sh",
      `# replay-timeout: 1\ntrap '' TERM\nbash -c 'trap "" TERM; echo $$ > "${pids}.j"; while :; do sleep 0.1; done' &\nwait\n`,
    );
    dir.write(
      "k-huge.sh",
      `head -c ${TEN_MB} /dev/zero | tr '\\0' 'x' | fold -w 1000\necho\necho "FAIL: after the flood"\nexit 1\n`,
    );
    dir.write("l-skip.sh", `echo "[replay] __SKIP__:#2863:CP-stub 401 on workspace start"\nexit 0\n`);
    dir.write("m-xfail-marker.sh", `echo "[replay] __XFAIL__:#2865:helper moved"\nexit 0\n`);
    dir.write("n-declared-xfail-passes.sh", `#!/bin/bash\n# replay-xfail: #77 not fixed yet\necho fine\n`);
    dir.write(
      "o-escape.sh",
      `printf 'FAIL: <tag> & "quote" \\x27apos\\x27 \\x01\\x1b[31m red\\x1b[0m ]]>\\n'\nexit 1\n`,
    );
    dir.write(
      "p-ts-xfail-declared-fails.ts",
      tsReplay(
        `{ closes: "#5", proves: "x", xfail: "#5 fix pending", run(ctx) { ctx.assert.expectEqual(1, 2, "one"); } }`,
      ),
    );
    dir.write(
      "q-ts-xfail-passes.ts",
      tsReplay(`{ closes: "#6", proves: "x", xfail: "#6 fix pending", run() {} }`),
    );
    dir.write(
      "r-ts-skip.ts",
      tsReplay(`{ closes: "#7", proves: "x", run(ctx) { ctx.skip("needs a real runtime"); } }`),
    );
    dir.write(
      "s-ts-xfail-call.ts",
      tsReplay(`{ closes: null, proves: "x", run(ctx) { ctx.xfail("#8: flaky upstream"); } }`),
    );
    dir.write("t-binary.sh", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0, 0]).toString("latin1"));
    dir.write(
      "u-unhandled.ts",
      tsReplay(
        `{ closes: null, proves: "x", async run(ctx) { setTimeout(() => { throw new Error("late boom"); }, 10); await ctx.sleep(2000); } }`,
      ),
    );
    dir.write(
      "v-leftover.sh",
      `sleep 300 &\necho $! > "${pids}.v"\necho "[replay] PASS: left a child behind"\n`,
    );

    summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({
        reportsDir: dir.reports,
        containers: ["harness-tenant-alpha", "gone-container"],
        logFiles: { tenant: existingLog, missing: join(dir.root, "nope.log") },
      }),
      seed: SEED,
      timeoutSeconds: 30,
      killGraceMs: 500,
      progress: progress.push,
      logSource: {
        async logs(container) {
          logCalls.push(container);
          if (container === "gone-container") throw new Error("no such container");
          return Buffer.from(`logs of ${container}\n`);
        },
      },
      journal: {
        requests: async () => ({ requests: [{ id: 1, method: "POST", path: "/cp/workspaces/provision" }] }),
      },
      stepSummaryFile: stepSummary,
    });
    results = byName(summary);
  });

  const expectResult = (name: string, status: string, message?: RegExp) =>
    expectResultIn(results, name, status, message);

  test("every replay ran and got a result, in alphabetical order", () => {
    assert.equal(summary.total, 22);
    assert.deepEqual(
      summary.results.map((r) => r.name),
      [...summary.results.map((r) => r.name)].sort(),
    );
    assert.deepEqual(
      {
        passed: summary.passed,
        failed: summary.failed,
        skipped: summary.skipped,
        xfailed: summary.xfailed,
        xpassed: summary.xpassed,
      },
      { passed: 3, failed: 12, skipped: 2, xfailed: 3, xpassed: 2 },
    );
  });

  test("passes, with the proves text or the replay's PASS line", () => {
    expectResult("a-pass", "PASS", /^a passes$/);
    expectResult("h-noexec", "PASS", /^ran without \+x$/);
    expectResult("v-leftover", "PASS");
    assert.equal(results.get("a-pass")?.closes, "#1");
  });

  test("crashes: a throw, process.exit(3), a pending run(), an uncaught late error, exit 3", () => {
    expectResult("b-throw", "FAIL", /^cross-tenant read leaked 2 rows$/);
    expectResult("c-exit3", "FAIL", /exited with code 3 before run\(\) finished/);
    expectResult("d-pending", "FAIL", /run\(\) never finished/);
    expectResult("u-unhandled", "FAIL", /uncaught exception: late boom/);
    expectResult("g-exit", "FAIL", /about to fail \(exit code 3\)/);
  });

  test("a TS syntax error or a module without a definition is a FAIL naming the problem", () => {
    expectResult(
      "e-syntax",
      "FAIL",
      /^cannot load e-syntax\.ts: Build failed with 1 error: e-syntax\.ts:\d+:\d+: ERROR: /,
    );
    expectResult("f-noexport", "FAIL", /does not `export default defineReplay/);
  });

  test("a binary .sh cannot run: FAIL with bash's reason", () => {
    expectResult("t-binary", "FAIL", /cannot execute binary file.*exit code 126/);
  });

  test("a hang times out and its whole process tree is gone (SIGTERM, then SIGKILL)", async () => {
    expectResult("i-hang", "FAIL", /^timed out after 1s$/);
    expectResult("j-hang-ignores-term", "FAIL", /^timed out after 1s$/);
    for (const suffix of ["i", "j", "v"]) {
      const pid = pidFrom(`${pids}.${suffix}`);
      assert.ok(await waitFor(() => !isAlive(pid), 3000), `grandchild ${suffix} (${pid}) is dead`);
    }
    assert.ok((results.get("j-hang-ignores-term")?.durationMs ?? 0) < 5000);
  });

  test("10 MB of output: the run goes on, the output file and artifact have it, memory held a tail", () => {
    expectResult("k-huge", "FAIL", /^after the flood$/);
    const artifact = join(dir.reports, "artifacts", "replays", "k-huge.log");
    assert.ok(statSync(artifact).size > TEN_MB);
    assert.match(readFileSync(artifact, "utf8").slice(-200), /FAIL: after the flood/);
    const printed = progress.all.join("\n");
    assert.match(printed, /output of k-huge \(last 64 KB of 10\.\d MB; full output: /);
    assert.ok(printed.length < 2 * 1024 * 1024, "progress shows a tail, not 10 MB");
    const junit = readFileSync(summary.reports.junit, "utf8");
    assert.ok(junit.length < 3 * 1024 * 1024, "junit keeps tails only");
  });

  test("markers: SKIP, XFAIL; declared xfail: failing → XFAIL, passing → XPASS", () => {
    expectResult("l-skip", "SKIP", /^CP-stub 401 on workspace start$/);
    assert.equal(results.get("l-skip")?.closes, "#2863");
    expectResult("m-xfail-marker", "XFAIL", /^helper moved$/);
    expectResult("n-declared-xfail-passes", "XPASS", /declared xfail \(#77 not fixed yet\) but it passed/);
    expectResult(
      "p-ts-xfail-declared-fails",
      "XFAIL",
      /#5 fix pending \(failed as expected: one: expected 2, got 1\)/,
    );
    expectResult("q-ts-xfail-passes", "XPASS", /#6 fix pending/);
    expectResult("r-ts-skip", "SKIP", /^needs a real runtime$/);
    assert.equal(results.get("r-ts-skip")?.closes, "#7");
    expectResult("s-ts-xfail-call", "XFAIL", /#8: flaky upstream/);
  });

  test("progress: a header per replay, PASS lines, output on failure, summary line last", () => {
    const all = progress.all;
    assert.ok(all.includes("[runner] ━━━ a-pass ━━━"));
    assert.ok(all.some((l) => /^\[runner\] PASS: a-pass \(\d+\.\ds\)$/.test(l)));
    assert.ok(all.some((l) => l.includes("[runner] FAIL: b-throw — cross-tenant read leaked 2 rows")));
    const failBlock = all.join("\n");
    assert.match(failBlock, /┌── output of b-throw[\s\S]*second line[\s\S]*└── end of output of b-throw/);
    assert.equal(all[all.length - 1], "3 passed, 14 failed, 5 skipped");
  });

  test("results.json is the summary", () => {
    const json = JSON.parse(readFileSync(join(dir.reports, "results.json"), "utf8")) as ReplaySummary;
    assert.deepEqual(json, summary);
    assert.equal(summary.reports.json, join(dir.reports, "results.json"));
    assert.equal(summary.reports.artifacts, join(dir.reports, "artifacts"));
  });

  test("junit.xml parses back: counts, failure/skipped elements, escaping of <&\"' and control characters", () => {
    const xml = readFileSync(join(dir.reports, "junit.xml"), "utf8");
    assert.equal(XMLValidator.validate(xml), true);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(xml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, "no raw control characters");
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (n) => n === "testcase",
    }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    assert.equal(suite.tests, "22");
    assert.equal(suite.failures, "14");
    assert.equal(suite.skipped, "5");
    assert.equal(suite.testcase.length, 22);
    const tc = (name: string) => suite.testcase.find((t: { name: string }) => t.name === name);
    assert.equal(tc("o-escape").failure.message, `<tag> & "quote" 'apos' \\x01 red ]]>`);
    assert.equal(tc("o-escape").failure.type, "FAIL");
    assert.equal(tc("q-ts-xfail-passes").failure.type, "XPASS");
    assert.match(tc("l-skip").skipped.message, /CP-stub 401/);
    assert.match(tc("m-xfail-marker").skipped.message, /^expected failure: helper moved$/);
    assert.equal(tc("a-pass").failure, undefined);
    assert.match(tc("a-pass")["system-out"], /hi from a-pass/);
    const props = tc("l-skip").properties.property;
    assert.deepEqual(props, [
      { name: "status", value: "SKIP" },
      { name: "closes", value: "#2863" },
    ]);
  });

  test("the JSON keeps the message exactly (control characters escaped by JSON itself)", () => {
    assert.equal(results.get("o-escape")?.message, `<tag> & "quote" 'apos' \x01 red ]]>`);
  });

  test("GitHub step summary appended as a markdown table", () => {
    const md = readFileSync(stepSummary, "utf8");
    assert.ok(md.startsWith("previous step\n"), "appended, not overwritten");
    assert.match(md, /### Harness replays \(test\): 3 passed, 14 failed, 5 skipped/);
    assert.match(md, /\| \| Replay \| Status \| Closes \| Time \| Message \|/);
    assert.match(md, /\| ✅ \| `a-pass` \| PASS \| #1 \| \d+\.\ds \| a passes \|/);
    assert.match(
      md,
      /\| ❌ \| `o-escape` \| FAIL \| {2}\| [\d.]+s \| &lt;tag&gt; & "quote" 'apos' .* \]\]&gt; \|/,
    );
    assert.match(md, /Failure artifacts: `.*artifacts`/);
  });

  test("artifacts: every replay's output, container logs, log files, cp-stub journal, and notes", () => {
    const art = join(dir.reports, "artifacts");
    for (const name of ["a-pass", "b-throw", "k-huge", "v-leftover"]) {
      assert.ok(existsSync(join(art, "replays", `${name}.log`)), name);
    }
    assert.deepEqual(logCalls.sort(), ["gone-container", "harness-tenant-alpha"]);
    assert.equal(
      readFileSync(join(art, "containers", "harness-tenant-alpha.log"), "utf8"),
      "logs of harness-tenant-alpha\n",
    );
    assert.equal(readFileSync(join(art, "logs", "tenant-tenant.log"), "utf8"), "tenant log line\n");
    assert.deepEqual(JSON.parse(readFileSync(join(art, "cp-stub-requests.json"), "utf8")), {
      requests: [{ id: 1, method: "POST", path: "/cp/workspaces/provision" }],
    });
    const readme = readFileSync(join(art, "README.txt"), "utf8");
    assert.match(readme, /container gone-container: no such container/);
    assert.match(readme, /log file missing .*nope\.log.*does not exist/);
  });
});

describe("runReplays: concurrency, interruption, spawn failure, all-pass", () => {
  test("independent TS replays run in parallel; a replay not marked independent runs alone", async () => {
    const dir = makeReplayDir();
    const log = join(dir.root, "spans");
    const body = (independent: boolean) =>
      tsReplay(`{ closes: null, proves: "x", independent: ${independent}, async run(ctx) {
        const fs = await import("node:fs");
        const start = Date.now();
        await ctx.sleep(2500);
        fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ name: ctx.name, start, end: Date.now() }) + "\\n");
      } }`);
    dir.write("a.ts", body(true));
    dir.write("b.ts", body(true));
    dir.write("c.ts", body(true));
    dir.write("d-serial.ts", body(false));
    const summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports }),
      seed: SEED,
      concurrency: 3,
      progress: () => undefined,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    assert.equal(summary.passed, 4, JSON.stringify(summary.results));
    const spans = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; start: number; end: number });
    const span = (n: string) => spans.find((s) => s.name === n) as { start: number; end: number };
    const overlaps = (x: { start: number; end: number }, y: { start: number; end: number }) =>
      x.start < y.end && y.start < x.end;
    assert.ok(
      overlaps(span("a"), span("b")) && overlaps(span("b"), span("c")),
      "independent ones overlapped",
    );
    for (const n of ["a", "b", "c"])
      assert.ok(!overlaps(span(n), span("d-serial")), `${n} did not overlap d-serial`);
  });

  test("an abort kills the running replay and reports the rest as not run", async () => {
    const dir = makeReplayDir();
    dir.write("a-hang.sh", `sleep 300\n`);
    dir.write("b-never.sh", `echo never\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 800);
    const started = Date.now();
    const summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports }),
      seed: SEED,
      signal: controller.signal,
      killGraceMs: 300,
      progress: () => undefined,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(
      summary.results.map((r) => [r.name, r.status, r.message]),
      [
        ["a-hang", "FAIL", "interrupted: the runner was stopped while this replay ran"],
        ["b-never", "FAIL", "not run: the runner was interrupted"],
      ],
    );
  });

  test("bash missing from PATH: FAIL 'could not start', the run still completes", async () => {
    const dir = makeReplayDir();
    dir.write("a.sh", `echo hi\n`);
    const summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports }),
      seed: SEED,
      baseEnv: { PATH: "/nonexistent-dir" },
      progress: () => undefined,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    assert.equal(summary.results[0].status, "FAIL");
    assert.match(summary.results[0].message, /could not start: spawn bash ENOENT/);
  });

  test("all passing: no artifacts folder, reports.artifacts is null, stale artifacts removed", async () => {
    const dir = makeReplayDir();
    dir.write("a.sh", `echo "[replay] PASS: ok"\n`);
    const target = makeTarget({ reportsDir: dir.reports });
    const options = {
      replaysDir: dir.replays,
      target,
      seed: SEED,
      progress: () => undefined,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    };
    dir.write("b.sh", `exit 1\n`);
    const first = await runReplays(options);
    assert.ok(first.reports.artifacts && existsSync(first.reports.artifacts));
    dir.write("b.sh", `exit 0\n`);
    const second = await runReplays(options);
    assert.equal(second.reports.artifacts, null);
    assert.equal(existsSync(join(dir.reports, "artifacts")), false);
  });
});
