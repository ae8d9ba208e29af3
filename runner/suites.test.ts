/**
 * The stack's own suites (`harness:suites`) through the real runner, after a replay: exit code as
 * status, JUnit cases into the summary and junit.xml, a stale JUnit file never counting, a malformed
 * one failing the suite, a hanging suite timed out with its whole process tree gone, output capped,
 * the suite's environment, and failure artifacts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { XMLParser } from "fast-xml-parser";
import type { SuiteSpec } from "../program/contracts/suites";
import type { ReplayResult, ReplaySummary } from "../program/contracts/summary";
import { runReplays } from "./run";
import { suiteVerdict } from "./suites";
import { byName, isAlive, lines, makeReplayDir, makeTarget, SEED, waitFor } from "./test-support/fixtures";

const junit = (cases: string) =>
  `<?xml version="1.0"?>\n<testsuites><testsuite name="s">${cases}</testsuite></testsuites>\n`;

describe("runReplays with suites", () => {
  const dir = makeReplayDir("runner-suites-");
  const pids = join(dir.root, "pids");
  const envFile = join(dir.root, "env.txt");
  const progress = lines();
  let summary: ReplaySummary;
  let results: Map<string, ReplayResult>;

  /** A suite folder under the root (suites' cwds are relative to `suitesRoot`). */
  function suiteDir(name: string, files: Record<string, string> = {}): string {
    const rel = join("suites", name);
    mkdirSync(join(dir.root, rel), { recursive: true });
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(dir.root, rel, file, ".."), { recursive: true });
      writeFileSync(join(dir.root, rel, file), content);
    }
    return rel;
  }

  const PASSING = junit(
    `<testcase classname="t" name="health" time="0.5"/><testcase name="later"><skipped message="not yet"/></testcase>`,
  );
  const FAILING = junit(
    `<testcase name="health"/><testcase classname="t" name="cross tenant" time="0.2"><failure message="expected 404, got 401">trace</failure></testcase>`,
  );

  before(async () => {
    dir.write("a-replay.sh", `echo "[replay] PASS: the replay ran first"\n`);
    const suites: SuiteSpec[] = [
      {
        name: "pass-junit",
        command: `echo '${PASSING}' > "out/junit-$HARNESS_STACK.xml"; echo "2 tests"`,
        cwd: suiteDir("pass", { "out/.keep": "" }),
        timeoutSeconds: 30,
        junit: "out/junit-${HARNESS_STACK}.xml",
      },
      {
        name: "fail-junit",
        command: `echo '${FAILING}' > reports/r1.xml; echo "FAIL: cross tenant"; exit 1`,
        cwd: suiteDir("fail", { "reports/.keep": "" }),
        timeoutSeconds: 30,
        junit: "reports/*.xml",
      },
      {
        // Its earlier run's JUnit file is there before it starts; it writes none this time.
        name: "stale-junit",
        command: "echo done",
        cwd: suiteDir("stale", { "junit.xml": PASSING }),
        timeoutSeconds: 30,
        junit: "junit.xml",
      },
      {
        name: "malformed-junit",
        command: `printf '<testsuites><testcase name="x">' > junit.xml`,
        cwd: suiteDir("malformed"),
        timeoutSeconds: 30,
        junit: "junit.xml",
      },
      {
        name: "hang",
        command: `sleep 300 & echo $! > "${pids}.hang"; bash -c 'trap "" TERM; echo $$ > "${pids}.stubborn"; while :; do sleep 0.1; done' & wait`,
        cwd: suiteDir("hang"),
        timeoutSeconds: 1,
      },
      {
        name: "huge",
        command: `head -c ${3 * 1024 * 1024} /dev/zero | tr '\\0' 'x' | fold -w 1000; echo; echo "ALL PASSED"`,
        cwd: suiteDir("huge"),
        timeoutSeconds: 30,
      },
      {
        name: "env",
        command: `printf '%s\\n' "$PWD" "$HARNESS_SUITE" "$BASE_URL" "$BASE" "$ALPHA_URL" "$BETA_URL" "$TENANT_URL" "$CP_STUB_URL" "$ALPHA_HOST" "$ADMIN_TOKEN" "$BETA_DATABASE_URL" "$ALPHA_PARENT_ID" "$HARNESS_STACK" "$HARNESS_REPLAY" > "${envFile}"; echo "=== Results: 1 passed, 0 failed ==="`,
        cwd: suiteDir("env"),
        timeoutSeconds: 30,
      },
      { name: "no-cwd", command: "true", cwd: "suites/does-not-exist", timeoutSeconds: 30 },
    ];
    summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports, edgeUrl: "http://127.0.0.1:18080", stack: "st" }),
      seed: SEED,
      suites,
      suitesRoot: dir.root,
      killGraceMs: 500,
      maxOutputBytes: 1024 * 1024,
      tailBytes: 4096,
      progress: progress.push,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    results = byName(summary);
  });

  test("the replays first, then every suite in config order; a suite is one result in the counts", () => {
    assert.deepEqual(
      summary.results.map((r) => [r.name, r.kind ?? "replay"]),
      [
        ["a-replay", "replay"],
        ["pass-junit", "suite"],
        ["fail-junit", "suite"],
        ["stale-junit", "suite"],
        ["malformed-junit", "suite"],
        ["hang", "suite"],
        ["huge", "suite"],
        ["env", "suite"],
        ["no-cwd", "suite"],
      ],
    );
    assert.equal(summary.total, 9);
    assert.equal(summary.passed, 4);
    assert.equal(summary.failed, 5);
    for (const r of summary.results.filter((r) => r.kind === "suite")) {
      assert.ok(r.startedAt && !Number.isNaN(Date.parse(r.startedAt)), `${r.name} has startedAt`);
      assert.equal(r.closes, null);
    }
  });

  test("exit 0 with a JUnit file: PASS, its cases in the summary", () => {
    const r = results.get("pass-junit")!;
    assert.equal(r.status, "PASS");
    assert.equal(r.message, "2 cases: 1 passed, 0 failed, 1 skipped");
    assert.deepEqual(r.cases, [
      { name: "health", classname: "t", status: "PASS", durationMs: 500, message: "" },
      { name: "later", status: "SKIP", durationMs: 0, message: "not yet" },
    ]);
  });

  test("exit 1 and a failing case: FAIL naming the case, with the exit code", () => {
    const r = results.get("fail-junit")!;
    assert.equal(r.status, "FAIL");
    assert.equal(r.message, "1 of 2 cases failed, first cross tenant: expected 404, got 401 (exit code 1)");
    assert.deepEqual(
      r.cases?.map((c) => [c.name, c.status]),
      [
        ["health", "PASS"],
        ["cross tenant", "FAIL"],
      ],
    );
  });

  test("a stale JUnit file is deleted before the suite starts: it never counts", () => {
    const r = results.get("stale-junit")!;
    assert.equal(r.status, "FAIL");
    assert.match(
      r.message,
      /^it wrote no JUnit file matching junit\.xml \(in .*suites\/stale\) \(exit code 0\)$/,
    );
    assert.equal(r.cases, undefined);
    assert.equal(existsSync(join(dir.root, "suites/stale/junit.xml")), false);
  });

  test("a malformed JUnit file: FAIL saying so, with the exit status", () => {
    const r = results.get("malformed-junit")!;
    assert.equal(r.status, "FAIL");
    assert.match(
      r.message,
      /^its JUnit file junit\.xml is malformed: not well-formed XML \(line 1, .*\(exit code 0\)$/,
    );
  });

  test("a hanging suite times out and its whole process tree is gone (a child ignoring SIGTERM too)", async () => {
    const r = results.get("hang")!;
    assert.equal(r.status, "FAIL");
    assert.equal(r.message, "timed out after 1s");
    for (const name of ["hang", "stubborn"]) {
      const pid = Number(readFileSync(`${pids}.${name}`, "utf8").trim());
      assert.ok(await waitFor(() => !isAlive(pid)), `${name} child ${pid} is gone`);
    }
  });

  test("output is capped in its file; the suite still passes on its exit code", () => {
    const r = results.get("huge")!;
    assert.equal(r.status, "PASS");
    assert.equal(r.message, "ALL PASSED", "exit 0 without JUnit: its last line");
    const file = join(dir.reports, "output", "suites", "huge.log");
    assert.ok(statSync(file).size < 1024 * 1024 + 200, "capped near 1 MB");
    assert.match(
      readFileSync(file, "utf8").slice(-200),
      /output truncated: the file keeps the first 1\.0 MB/,
    );
  });

  test("environment: the anchor's names and the suite's URLs, run in its cwd", () => {
    assert.equal(results.get("env")!.status, "PASS");
    assert.equal(results.get("env")!.message, "=== Results: 1 passed, 0 failed ===");
    assert.deepEqual(readFileSync(envFile, "utf8").split("\n").slice(0, 14), [
      join(dir.root, "suites/env"),
      "env",
      "http://127.0.0.1:18080",
      "http://127.0.0.1:18080",
      "http://harness-tenant-alpha.localhost:18080",
      "http://harness-tenant-beta.localhost:18080",
      "http://harness-tenant.localhost:18080",
      "http://127.0.0.1:9",
      "harness-tenant-alpha.localhost",
      "token-alpha",
      "postgres://u:p@127.0.0.1:9/beta",
      SEED.tenants.alpha.parent,
      "st",
      "",
    ]);
  });

  test("a cwd that is gone: FAIL, not run, saying which", () => {
    const r = results.get("no-cwd")!;
    assert.equal(r.status, "FAIL");
    assert.match(r.message, /^not run: its cwd .*suites\/does-not-exist is not a directory/);
  });

  test("junit.xml: the replays' testsuite, then one per suite with its cases; a FAIL no case shows gets its own case", () => {
    const xml = readFileSync(summary.reports.junit, "utf8");
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (name) => ["testsuite", "testcase"].includes(name),
    }).parse(xml);
    const suites = parsed.testsuites.testsuite as {
      name: string;
      tests: string;
      failures: string;
      testcase?: { name: string; classname: string; failure?: { message: string }; skipped?: unknown }[];
      "system-out"?: string;
    }[];
    assert.deepEqual(
      suites.map((s) => [s.name, s.tests, s.failures]),
      [
        ["harness replays (st)", "1", "0"],
        ["suite pass-junit", "2", "0"],
        ["suite fail-junit", "2", "1"],
        ["suite stale-junit", "1", "1"],
        ["suite malformed-junit", "1", "1"],
        ["suite hang", "1", "1"],
        ["suite huge", "1", "0"],
        ["suite env", "1", "0"],
        ["suite no-cwd", "1", "1"],
      ],
    );
    const failing = suites[2].testcase!;
    assert.deepEqual(
      failing.map((c) => [c.name, c.classname, c.failure?.message]),
      [
        ["health", "fail-junit", undefined],
        ["cross tenant", "t", "expected 404, got 401"],
      ],
    );
    assert.match(suites[2]["system-out"] ?? "", /FAIL: cross tenant/);
    assert.equal(suites[5].testcase![0].failure?.message, "timed out after 1s");
    assert.equal(parsed.testsuites.tests, "11");
    assert.equal(parsed.testsuites.failures, "5");
  });

  test("failure artifacts hold each suite's output", () => {
    assert.equal(summary.reports.artifacts, join(dir.reports, "artifacts"));
    assert.match(
      readFileSync(join(dir.reports, "artifacts", "suites", "fail-junit.log"), "utf8"),
      /FAIL: cross tenant/,
    );
    assert.ok(existsSync(join(dir.reports, "artifacts", "replays", "a-replay.log")));
    assert.match(readFileSync(join(dir.reports, "artifacts", "README.txt"), "utf8"), /suites\/<name>\.log/);
  });

  test("progress: a header per suite, and the summary line last", () => {
    assert.ok(progress.all.includes("[runner] ━━━ pass-junit (suite) ━━━"));
    assert.ok(progress.all.some((l) => /^\[runner\] PASS: pass-junit \(\d+\.\ds\)$/.test(l)));
    assert.ok(progress.all.some((l) => /^\[runner\] FAIL: fail-junit — 1 of 2 cases failed/.test(l)));
    assert.equal(progress.all.at(-1), "4 passed, 5 failed, 0 skipped");
  });
});

describe("suiteVerdict", () => {
  const outcome = {
    exitCode: 2,
    signal: null,
    timedOut: false,
    timeoutSeconds: 60,
    interrupted: false,
    spawnError: null,
    digest: { skip: null, xfail: null, firstFailLine: null, lastPassLine: null, lastLine: "Error: no BASE" },
  };

  test("status from the exit code, never from replay markers", () => {
    const marker = {
      ...outcome,
      exitCode: 0,
      digest: { ...outcome.digest, skip: { issue: null, reason: "x" } },
    };
    assert.deepEqual(suiteVerdict(marker, null), { status: "PASS", message: "Error: no BASE" });
    assert.deepEqual(suiteVerdict(outcome, null), {
      status: "FAIL",
      message: "Error: no BASE (exit code 2)",
    });
    assert.deepEqual(suiteVerdict({ ...outcome, exitCode: null, signal: "SIGKILL" }, null), {
      status: "FAIL",
      message: "Error: no BASE (killed by SIGKILL)",
    });
  });

  test("interrupted and could-not-start read as for a replay", () => {
    assert.match(suiteVerdict({ ...outcome, interrupted: true }, null).message, /^interrupted/);
    assert.match(
      suiteVerdict({ ...outcome, spawnError: "ENOENT" }, null).message,
      /^could not start: ENOENT/,
    );
  });
});

describe("suites and filters", () => {
  test("--include selecting only a suite runs no replay; interrupted before a suite: not run", async () => {
    const dir = makeReplayDir("runner-suites-filter-");
    dir.write("a-replay.sh", `echo "[replay] PASS"\n`);
    const suites: SuiteSpec[] = [
      { name: "api", command: "echo ok", cwd: dir.root, timeoutSeconds: 30 },
      { name: "other", command: "echo ok", cwd: dir.root, timeoutSeconds: 30 },
    ];
    const run = (include: string[], signal?: AbortSignal) =>
      runReplays({
        replaysDir: dir.replays,
        include,
        target: makeTarget({ reportsDir: dir.reports }),
        seed: SEED,
        suites,
        signal,
        progress: () => undefined,
        logSource: null,
        journal: null,
        stepSummaryFile: null,
      });
    assert.deepEqual(
      (await run(["api"])).results.map((r) => [r.name, r.status]),
      [["api", "PASS"]],
    );
    await assert.rejects(
      run(["nothing"]),
      /no replay matches --include nothing; available: a-replay, api \(suite\), other \(suite\)/,
    );
    const stopped = new AbortController();
    stopped.abort();
    const interrupted = await run(["api", "a-*"], stopped.signal);
    assert.deepEqual(
      interrupted.results.map((r) => [r.name, r.status, r.message]),
      [
        ["a-replay", "FAIL", "not run: the runner was interrupted"],
        ["api", "FAIL", "not run: the runner was interrupted"],
      ],
    );
  });
});
