/** The CLI as the Pulumi Commands run it: stdout is only JSON, exit codes 0/1/2, --command-mode. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import type { ReplaySummary } from "../program/contracts/summary";
import { isAlive, makeReplayDir, makeTarget, SEED, tsReplay, waitFor } from "./test-support/fixtures";

const CLI = join(__dirname, "cli.ts");
const TSX = pathToFileURL(require.resolve("tsx")).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Run {
  const base = { ...process.env };
  delete base.GITHUB_STEP_SUMMARY;
  delete base.HARNESS_TARGET;
  delete base.HARNESS_SEED;
  delete base.HARNESS_SUITES;
  const result = spawnSync(process.execPath, ["--import", TSX, CLI, ...args], {
    cwd,
    env: { ...base, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function lastLine(text: string): string {
  const all = text.trimEnd().split("\n");
  return all[all.length - 1];
}

describe("cli run", () => {
  const dir = makeReplayDir();
  dir.write("a-pass.sh", `echo "[replay] PASS: fine"\n`);
  dir.write("b-ts.ts", tsReplay(`{ closes: "#1", proves: "ts works", run(ctx) { ctx.log("to stderr"); } }`));
  dir.write("c-fail.sh", `echo "noise on stdout"\necho "FAIL: broken" >&2\nexit 1\n`);
  const env = {
    HARNESS_TARGET: JSON.stringify(makeTarget({ reportsDir: dir.reports })),
    HARNESS_SEED: JSON.stringify(SEED),
  };

  test("all passing: exit 0, stdout is exactly one JSON line, the last stderr line is the summary", () => {
    const run = cli(["run", "--exclude", "c-*"], env, dir.root);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split("\n").length, 2, "one line + newline");
    const summary = JSON.parse(run.stdout) as ReplaySummary;
    assert.equal(summary.total, 2);
    assert.equal(summary.passed, 2);
    assert.equal(lastLine(run.stderr), "2 passed, 0 failed, 0 skipped");
    assert.match(run.stderr, /\[replay\] to stderr|PASS: b-ts/);
  });

  test("a failing replay: exit 1; its stdout noise stays out of the runner's stdout", () => {
    const run = cli(["run"], env, dir.root);
    assert.equal(run.code, 1);
    const summary = JSON.parse(run.stdout) as ReplaySummary;
    assert.equal(summary.failed, 1);
    assert.doesNotMatch(run.stdout, /noise on stdout/);
    assert.match(run.stderr, /noise on stdout/);
    assert.equal(lastLine(run.stderr), "2 passed, 1 failed, 0 skipped");
  });

  test("--command-mode: exit 0 even when a replay fails (failure is data in the JSON)", () => {
    const run = cli(["run", "--command-mode", "--timeout", "30", "--concurrency", "2"], env, dir.root);
    assert.equal(run.code, 0);
    assert.equal((JSON.parse(run.stdout) as ReplaySummary).failed, 1);
  });

  test("--replays-dir and repeated --include", () => {
    const run = cli(["run", "--replays-dir", dir.replays, "--include", "a-*", "--include", "b-ts"], env, "/");
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      (JSON.parse(run.stdout) as ReplaySummary).results.map((r) => r.name),
      ["a-pass", "b-ts"],
    );
  });

  test("HARNESS_SUITES: each suite runs after the replays and is one result; --include selects suites by name", () => {
    const suites = JSON.stringify([
      { name: "api", command: `echo "suite in $PWD"; exit 3`, cwd: dir.replays },
      { name: "ok", command: "echo fine", cwd: dir.root },
    ]);
    const run = cli(["run", "--command-mode"], { ...env, HARNESS_SUITES: suites }, dir.root);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as ReplaySummary;
    assert.deepEqual(
      summary.results.map((r) => [r.name, r.kind ?? "replay", r.status]),
      [
        ["a-pass", "replay", "PASS"],
        ["b-ts", "replay", "PASS"],
        ["c-fail", "replay", "FAIL"],
        ["api", "suite", "FAIL"],
        ["ok", "suite", "PASS"],
      ],
    );
    assert.equal(summary.results[3].message, `suite in ${dir.replays} (exit code 3)`);
    assert.equal(lastLine(run.stderr), "3 passed, 2 failed, 0 skipped");

    const one = cli(["run", "--include", "ok"], { ...env, HARNESS_SUITES: suites }, dir.root);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(
      (JSON.parse(one.stdout) as ReplaySummary).results.map((r) => r.name),
      ["ok"],
      "no replay matched, a suite did: not an error",
    );
    assert.equal(lastLine(one.stderr), "1 passed, 0 failed, 0 skipped");
  });

  const harnessErrors: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ["unknown flag", ["run", "--bogus"], env, /Unknown option '--bogus'[\s\S]*usage:/],
    ["positional argument", ["run", "extra"], env, /usage:/],
    ["bad --timeout", ["run", "--timeout", "soon"], env, /--timeout must be a positive number/],
    ["bad --concurrency", ["run", "--concurrency", "1.5"], env, /--concurrency must be a positive integer/],
    ["no HARNESS_TARGET", ["run"], { HARNESS_SEED: env.HARNESS_SEED }, /HARNESS_TARGET is not set/],
    ["bad HARNESS_TARGET", ["run"], { ...env, HARNESS_TARGET: "{nope" }, /HARNESS_TARGET is not valid JSON/],
    ["no HARNESS_SEED", ["run"], { HARNESS_TARGET: env.HARNESS_TARGET }, /HARNESS_SEED is not set/],
    [
      "bad HARNESS_SEED",
      ["run"],
      { ...env, HARNESS_SEED: "nope" },
      /^\[runner\] harness error: HARNESS_SEED is not valid JSON: [^\n]*\n$/,
    ],
    [
      "incomplete HARNESS_TARGET",
      ["run"],
      { ...env, HARNESS_TARGET: "{}" },
      /^\[runner\] harness error: HARNESS_TARGET lacks stack, [^\n]*\n$/,
    ],
    ["missing replays dir", ["run", "--replays-dir", "nope"], env, /replays directory .*nope does not exist/],
    [
      "missing replays dir in command mode",
      ["run", "--command-mode", "--replays-dir", "nope"],
      env,
      /does not exist/,
    ],
    ["include matching nothing", ["run", "--include", "zzz"], env, /no replay matches --include zzz/],
    [
      "HARNESS_SUITES not JSON",
      ["run"],
      { ...env, HARNESS_SUITES: "bash test_api.sh" },
      /harness error: HARNESS_SUITES is not valid JSON .*: set it to a JSON list/,
    ],
    [
      "HARNESS_SUITES invalid",
      ["run"],
      { ...env, HARNESS_SUITES: JSON.stringify([{ name: "a b", command: "true", timeoutSeconds: -1 }]) },
      /HARNESS_SUITES is invalid:\n {2}- HARNESS_SUITES\[0\]\.name: .*\n {4}fix: .*\n {2}- HARNESS_SUITES\[0\]\.timeoutSeconds: must be a positive/,
    ],
    ["unknown command", ["replay"], env, /unknown command "replay"/],
    ["no command", [], env, /missing command/],
  ];
  for (const [name, args, runEnv, message] of harnessErrors) {
    test(`harness error → exit 2, nothing on stdout: ${name}`, () => {
      const run = cli(args, runEnv, dir.root);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
    });
  }
});

describe("cli interrupted", () => {
  test("SIGINT: the running replay's tree is killed, the rest is 'not run', JSON still printed, exit 130", async () => {
    const dir = makeReplayDir();
    const pidFile = `${dir.root}/pid`;
    dir.write("a-hang.sh", `sleep 300 &\necho $! > "${pidFile}"\nwait\n`);
    dir.write("b-later.sh", `echo later\n`);
    const child = spawn(process.execPath, ["--import", TSX, CLI, "run", "--command-mode"], {
      cwd: dir.root,
      env: {
        ...process.env,
        GITHUB_STEP_SUMMARY: "",
        HARNESS_TARGET: JSON.stringify(makeTarget({ reportsDir: dir.reports })),
        HARNESS_SEED: JSON.stringify(SEED),
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    assert.ok(await waitFor(() => stderr.includes("━━━ a-hang ━━━"), 20_000), stderr);
    assert.ok(await waitFor(() => readFileSync(pidFile, { flag: "a+" }).length > 0, 5000));
    child.kill("SIGINT");
    assert.equal(await exited, 130);
    const summary = JSON.parse(stdout) as ReplaySummary;
    assert.deepEqual(
      summary.results.map((r) => r.status + " " + r.message),
      [
        "FAIL interrupted: the runner was stopped while this replay ran",
        "FAIL not run: the runner was interrupted",
      ],
    );
    const pid = Number(readFileSync(pidFile, "utf8"));
    assert.ok(await waitFor(() => !isAlive(pid), 5000), "the replay's background sleep is gone");
  });
});

describe("cli seed", () => {
  test("an unreachable edge: exit 2, a message naming the tenant, host and edge URL", () => {
    const dir = makeReplayDir();
    const run = cli(
      ["seed", "--health-timeout", "0.5"],
      { HARNESS_TARGET: JSON.stringify(makeTarget({ reportsDir: dir.reports })) },
      dir.root,
    );
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /seed: tenant "alpha" is not reachable: GET \/health with Host harness-tenant-alpha\.localhost via the edge http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED/,
    );
  });

  test("bad flag → exit 2 with usage", () => {
    const run = cli(["seed", "--fast"], {}, "/");
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage:/);
  });
});
