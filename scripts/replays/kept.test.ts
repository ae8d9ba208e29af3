/**
 * `npm run replays|seed -- --stack` (kept.ts) with stand-ins for the stack's outputs, the runner and
 * the watcher: the arguments, every line for a stack that cannot be run against, what the runner is
 * handed (target and seed from the outputs, reports in `kept/`, the suites), and the path without
 * `--stack`, unchanged. The real engine: tests/engine/lifecycle.pulumi.test.ts.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { HarnessTarget } from "../../program/contracts/target";
import type { SuiteSpec } from "../../program/contracts/suites";
import type { CliIo } from "../../runner/cli";
import { filterSuites } from "../../runner/suites";
import {
  fromOutputs,
  notUpLine,
  parseReplaysArgs,
  replaysMain,
  stackRunnerArgs,
  type ReplaysArgs,
  type ReplaysDeps,
  type StackOutputs,
} from "./kept";

const TARGET: HarnessTarget = {
  stack: "e2e",
  edgeUrl: "http://127.0.0.1:40000",
  legacyHost: "harness-tenant.localhost",
  cpStubUrl: "http://127.0.0.1:40001",
  tenants: [
    {
      name: "alpha",
      host: "harness-tenant-alpha.localhost",
      orgId: "harness-org-alpha",
      adminToken: "secret-token-alpha",
      databaseUrl: "postgres://harness:pw@127.0.0.1:40002/molecule",
    },
  ],
  containers: ["e2e-tenant-alpha"],
  reportsDir: "/repo/.harness/reports/e2e",
};
const SEED = { tenants: { alpha: { parent: "p-1", child: "c-1" } } };
const SUITES: SuiteSpec[] = [
  { name: "api", command: "bash test_api.sh", cwd: "tests/examples/api", timeoutSeconds: 600 },
  {
    name: "pytest",
    command: "pytest -q",
    cwd: "tests/examples/pytest",
    timeoutSeconds: 600,
    junit: "junit.xml",
  },
];
const UP: StackOutputs = {
  outputs: { target: JSON.stringify(TARGET), seed: SEED, suites: SUITES, replaysPassed: true },
};

function args(argv: string[]): ReplaysArgs {
  const parsed = parseReplaysArgs(argv);
  assert.notEqual(typeof parsed, "string", String(parsed));
  return parsed as ReplaysArgs;
}

const scratch = mkdtempSync(join(tmpdir(), "replays-kept-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("arguments", () => {
  test("the runner's flags pass through in order; --stack and --watch are the wrapper's", () => {
    const a = args([
      "run",
      "--include",
      "a-*",
      "--stack",
      "e2e",
      "--timeout",
      "9",
      "--watch",
      "--include",
      "b",
    ]);
    assert.equal(a.command, "run");
    assert.equal(a.stack, "e2e");
    assert.equal(a.watch, true);
    assert.deepEqual(a.runnerArgs, ["--include", "a-*", "--timeout", "9", "--include", "b"]);
    assert.deepEqual([...a.given].sort(), ["include", "timeout"]);
    const s = args(["seed", "--stack", "e2e", "--health-timeout", "30"]);
    assert.deepEqual([s.command, s.stack, s.runnerArgs], ["seed", "e2e", ["--health-timeout", "30"]]);
  });

  test("what is wrong is said in one line", () => {
    for (const [argv, expected] of [
      [[], /missing command \(run or seed\)/],
      [["go"], /unknown command "go"/],
      [["run", "--bogus"], /Unknown option '--bogus'/],
      [["seed", "--watch"], /Unknown option '--watch'/],
      [["seed", "--include", "x"], /Unknown option '--include'/],
      [["run", "--stack"], /argument missing/],
      [["run", "--stack", "../etc"], /--stack needs a stack name, e.g. --stack e2e \(got "..\/etc"\)/],
      [["run", "--suite", "api"], /--suite needs --stack/],
    ] as const) {
      const result = parseReplaysArgs([...argv]);
      assert.equal(typeof result, "string", `${argv.join(" ")} is refused`);
      assert.match(result as string, expected);
      assert.ok(!(result as string).includes("\n"), "one line");
    }
  });
});

describe("from the stack's outputs", () => {
  const run = args(["run", "--stack", "e2e"]);

  test("a stack that is not up, or booted by an older program, gets one line saying what to run", () => {
    const cases: [StackOutputs, ReplaysArgs, string][] = [
      [
        { notFound: true },
        run,
        "stack e2e is not up (no such stack in this project): run `KEEP_UP=1 npm run harness -- --stack e2e`",
      ],
      [
        { outputs: {} },
        run,
        "stack e2e is not up (it has no outputs: destroyed, or never up): run `KEEP_UP=1 npm run harness -- --stack e2e`",
      ],
      [
        { outputs: { seed: SEED, replaysPassed: true } },
        run,
        "stack e2e was booted by an older program (no `target` output): run `npm run stack -- up --stack e2e`",
      ],
      [
        { outputs: { target: JSON.stringify(TARGET), replaysPassed: true } },
        run,
        "stack e2e was booted by an older program (no `seed` output): run `npm run stack -- up --stack e2e`",
      ],
      [
        { outputs: { target: JSON.stringify({ ...TARGET, tenants: [] }), seed: SEED } },
        run,
        "stack e2e was booted by an older program (its `target` output is not what this runner reads: HARNESS_TARGET tenants: must list at least one tenant): run `npm run stack -- up --stack e2e`",
      ],
      [
        { problem: "failed to decrypt: incorrect passphrase" },
        run,
        "cannot read the outputs of stack e2e: failed to decrypt: incorrect passphrase",
      ],
      [
        { outputs: { target: JSON.stringify(TARGET), seed: SEED } },
        args(["run", "--stack", "e2e", "--suite", "api"]),
        "stack e2e was booted by an older program (no `suites` output): run `npm run stack -- up --stack e2e`",
      ],
      [
        UP,
        args(["run", "--stack", "e2e", "--suite", "api", "--suite", "nope"]),
        'stack e2e has no suite "nope" (its suites: api, pytest)',
      ],
    ];
    for (const [outputs, a, line] of cases) assert.equal(fromOutputs("e2e", outputs, a), line);
    assert.equal(
      notUpLine("x", "why"),
      "stack x is not up (why): run `KEEP_UP=1 npm run harness -- --stack x`",
    );
  });

  test("run: the target (reports in kept/), the seed and every suite", () => {
    const r = fromOutputs("e2e", UP, run);
    assert.equal(typeof r, "object");
    const { env, target } = r as Exclude<typeof r, string>;
    assert.deepEqual(JSON.parse(env.HARNESS_TARGET), {
      ...TARGET,
      reportsDir: "/repo/.harness/reports/e2e/kept",
    });
    assert.equal(target.reportsDir, "/repo/.harness/reports/e2e/kept", "never the up's own reports");
    assert.deepEqual(JSON.parse(env.HARNESS_SEED), SEED);
    assert.deepEqual(JSON.parse(env.HARNESS_SUITES), SUITES, "as `up` runs them");
  });

  test("the runner's --include selects the stack's suites by name; --suite <name> is such an include", () => {
    const selected = (argv: string[]) => {
      const a = args(argv);
      const r = fromOutputs("e2e", UP, a) as { env: Record<string, string> };
      const include = a.runnerArgs.filter((_, i) => a.runnerArgs[i - 1] === "--include");
      return filterSuites(JSON.parse(r.env.HARNESS_SUITES) as SuiteSpec[], include).map((s) => s.name);
    };
    assert.deepEqual(
      selected(["run", "--stack", "e2e"]),
      ["api", "pytest"],
      "no --include: as `up` runs them",
    );
    assert.deepEqual(
      selected(["run", "--stack", "e2e", "--include", "peer-*"]),
      [],
      "a replay's name: no suite",
    );
    assert.deepEqual(selected(["run", "--stack", "e2e", "--include", "peer-*", "--suite", "pytest"]), [
      "pytest",
    ]);
    assert.deepEqual(selected(["run", "--stack", "e2e", "--suite", "api"]), ["api"]);
    assert.deepEqual(args(["run", "--stack", "e2e", "--suite", "api"]).runnerArgs, ["--include", "api"]);
  });

  test("a stack without the suites output (before harness:suites) runs its replays, no suite", () => {
    const r = fromOutputs("e2e", { outputs: { target: JSON.stringify(TARGET), seed: SEED } }, run);
    assert.deepEqual(JSON.parse((r as { env: Record<string, string> }).env.HARNESS_SUITES), []);
  });

  test("seed: the target only, reports untouched", () => {
    const r = fromOutputs(
      "e2e",
      { outputs: { target: JSON.stringify(TARGET) } },
      args(["seed", "--stack", "e2e"]),
    );
    assert.deepEqual(r, { env: { HARNESS_TARGET: JSON.stringify(TARGET) }, target: TARGET });
  });

  test("the runner's flags: the stack's harness:replays where no flag says otherwise", () => {
    const stack = {
      dir: "my-replays",
      include: ["tenant-*"],
      exclude: ["canary-*"],
      timeoutSeconds: 60,
      concurrency: 2,
    };
    assert.deepEqual(stackRunnerArgs(run, stack, "/repo"), [
      "--replays-dir",
      "/repo/my-replays",
      "--include",
      "tenant-*",
      "--exclude",
      "canary-*",
      "--timeout",
      "60",
      "--concurrency",
      "2",
    ]);
    assert.deepEqual(
      stackRunnerArgs(
        args(["run", "--stack", "e2e", "--exclude", "x", "--replays-dir", "r", "--timeout", "5"]),
        stack,
        "/repo",
      ),
      ["--exclude", "x", "--replays-dir", "r", "--timeout", "5", "--concurrency", "2"],
      "a filter flag replaces both of the stack's filters",
    );
    assert.deepEqual(stackRunnerArgs(run, {}, "/repo"), ["--replays-dir", "/repo/replays"]);
  });
});

interface Call {
  code: number;
  err: string;
  out: string;
  runner: { argv: string[]; env: NodeJS.ProcessEnv }[];
  read: string[];
}

async function main(argv: string[], outputs: StackOutputs = UP, env: NodeJS.ProcessEnv = {}): Promise<Call> {
  const call: Call = { code: -1, err: "", out: "", runner: [], read: [] };
  const deps: ReplaysDeps = {
    argv,
    env,
    workDir: scratch,
    repoRoot: "/repo",
    stderr: (t) => void (call.err += t),
    stdout: (t) => void (call.out += t),
    readOutputs: async (stack) => (call.read.push(stack), outputs),
    runner: async (a: string[], io: CliIo) => {
      call.runner.push({ argv: a, env: io.env });
      io.stdout('{"total":1}\n');
      io.stderr("1 passed, 0 failed, 0 skipped\n");
      return 0;
    },
    watch: () => assert.fail("no --watch"),
    stop: new AbortController().signal,
  };
  call.code = await replaysMain(deps);
  return call;
}

describe("replaysMain", () => {
  test("--stack: the runner gets the stack's environment; the reports path is printed, the count is last", async () => {
    writeFileSync(join(scratch, "Pulumi.e2e.yaml"), "config:\n  harness:replays:\n    dir: my-replays\n");
    const c = await main(["run", "--stack", "e2e", "--include", "peer-discovery-404"], UP, { KEEP: "1" });
    assert.equal(c.code, 0);
    assert.deepEqual(c.read, ["e2e"]);
    assert.deepEqual(c.runner[0].argv, [
      "run",
      "--include",
      "peer-discovery-404",
      "--replays-dir",
      "/repo/my-replays",
    ]);
    const env = c.runner[0].env;
    assert.equal(env.KEEP, "1", "the caller's environment is kept");
    assert.equal(JSON.parse(env.HARNESS_TARGET!).reportsDir, "/repo/.harness/reports/e2e/kept");
    assert.match(
      c.err,
      /^\[replays\] stack e2e: target and seed from its outputs; reports in .*\/\.harness\/reports\/e2e\/kept\/\n/,
    );
    assert.equal(c.err.trimEnd().split("\n").at(-1), "1 passed, 0 failed, 0 skipped");
    assert.equal(c.out, "", "the summary is in results.json, not on the terminal");
    assert.ok(!c.err.includes("secret-token-alpha"), "the target's secrets are never printed");
  });

  test("--stack on a stack that is not up: one line, exit 2, the runner never starts", async () => {
    const c = await main(["seed", "--stack", "gone"], { outputs: {} });
    assert.equal(c.code, 2);
    assert.equal(
      c.err,
      "[seed] stack gone is not up (it has no outputs: destroyed, or never up): run `KEEP_UP=1 npm run harness -- --stack gone`\n",
    );
    assert.deepEqual(c.runner, []);
  });

  test("seed --stack prints the seed's JSON as the runner does", async () => {
    const c = await main(["seed", "--stack", "e2e"]);
    assert.equal(c.code, 0);
    assert.deepEqual(c.runner[0].argv, ["seed"]);
    assert.equal(c.out, '{"total":1}\n');
  });

  test("without --stack: the runner as before, with the environment's HARNESS_TARGET", async () => {
    const env = { HARNESS_TARGET: JSON.stringify(TARGET), HARNESS_SEED: JSON.stringify(SEED) };
    const c = await main(["run", "--include", "x", "--command-mode"], UP, env);
    assert.equal(c.code, 0);
    assert.deepEqual(c.read, [], "no engine");
    assert.deepEqual(c.runner[0], { argv: ["run", "--include", "x", "--command-mode"], env });
    assert.equal(c.out, '{"total":1}\n', "stdout: the JSON, as before");
  });

  test("without --stack and without HARNESS_TARGET: says both ways", async () => {
    const c = await main(["run"]);
    assert.equal(c.code, 2);
    assert.match(
      c.err,
      /HARNESS_TARGET is not set: add --stack <name> for a stack that is up, or run `npm run replays:local`/,
    );
  });

  test("--watch: watches the replays, the shims beside them and the bash helpers; Ctrl-C ends it", async () => {
    const repo = join(scratch, "repo");
    mkdirSync(join(repo, "replays", "lib"), { recursive: true });
    mkdirSync(join(repo, "runner", "shell"), { recursive: true });
    writeFileSync(join(repo, "_curl.sh"), "");
    const stop = new AbortController();
    let watched: string[] = [];
    let closed = false;
    const runs: string[][] = [];
    const code = await replaysMain({
      argv: ["run", "--watch"],
      env: { HARNESS_TARGET: JSON.stringify(TARGET) },
      workDir: repo,
      repoRoot: repo,
      stderr: () => undefined,
      stdout: () => undefined,
      readOutputs: () => assert.fail("no --stack"),
      runner: async (argv) => {
        runs.push(argv);
        setImmediate(() => stop.abort("SIGINT"));
        return 0;
      },
      watch: (paths) => {
        watched = paths;
        return { close: async () => void (closed = true) };
      },
      stop: stop.signal,
    });
    assert.equal(code, 130);
    assert.deepEqual(runs, [["run"]], "--watch is not the runner's");
    assert.deepEqual(watched, [join(repo, "replays"), join(repo, "_curl.sh"), join(repo, "runner", "shell")]);
    assert.ok(closed);
  });

  test("a bad argument: the line and the usage, exit 2", async () => {
    const c = await main(["run", "--stack", "e2e", "--nope"]);
    assert.equal(c.code, 2);
    assert.match(c.err, /^\[replays\] Unknown option '--nope'.*\nusage:/s);
    assert.deepEqual(c.read, []);
  });
});
