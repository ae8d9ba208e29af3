/**
 * `npm run harness`'s control flow (scripts/one-shot/run.ts), in process, with stand-ins for what it
 * drives: the engine operations, the CLI lookup and install, Docker's ping, the signals. The real
 * thing, on the real engine, is tests/engine/one-shot.pulumi.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { ReplaySummary } from "../../program/contracts/summary";
import type { PulumiCli } from "../pulumi/engine";
import type { StackOpIo, StackOpResult } from "../pulumi/stack-op";
import { runHarness, type HarnessDeps } from "./run";
import { preflightLint } from "../../tools/config-lint/lint";
import { scratchRoot } from "../../tools/config-lint/test-support";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { writeHtmlReport } from "../../runner/reports/html";
import { buildReportData } from "../../runner/reports/report-data";
import { reportInputs } from "../../runner/test-support/report-fixture";

const scratch = mkdtempSync(join(tmpdir(), "harness-run-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const CLI: PulumiCli = { version: "v3.276.0", source: "toolchain", env: {} };

function summary(failed: boolean): ReplaySummary {
  const results = [
    {
      name: "buildinfo-stale-image",
      status: failed ? "FAIL" : "PASS",
      durationMs: 800,
      closes: "#2395",
      message: failed ? "tenant alpha reports GIT_SHA dev" : "ok",
    },
    { name: "strict-auth", status: "PASS", durationMs: 700, closes: "", message: "ok" },
  ];
  return {
    total: 2,
    passed: failed ? 1 : 2,
    failed: failed ? 1 : 0,
    skipped: 0,
    xfailed: 0,
    xpassed: 0,
    durationMs: 1500,
    results,
    reports: { json: "/tmp/fake/results.json", junit: "/tmp/fake/junit.xml", artifacts: null },
  } as unknown as ReplaySummary;
}

type Scenario = "pass" | "replay-fail" | "up-fail" | "hang" | "destroy-fail";

interface Run {
  code: number;
  log: string;
  calls: string[];
  /** The env each engine was made with. */
  engineEnv?: Record<string, string>;
  /** The config override it was made with (`--only`). */
  engineConfig?: Record<string, unknown>;
  stack?: string;
  root: string;
}

let counter = 0;
function project(edgePort = 0): string {
  const root = join(scratch, `p${counter++}`);
  mkdirSync(root);
  writeFileSync(join(root, "Pulumi.yaml"), "name: harness\nruntime: nodejs\n");
  writeFileSync(join(root, "Pulumi.harness.yaml"), `config:\n  harness:edge:\n    port: ${edgePort}\n`);
  return root;
}

async function harness(
  scenario: Scenario,
  env: NodeJS.ProcessEnv = {},
  overrides: Partial<HarnessDeps> & { root?: string; signal?: "SIGINT" | "SIGTERM" } = {},
): Promise<Run> {
  const root = overrides.root ?? project();
  const calls: string[] = [];
  const run: Run = { code: -1, log: "", calls, root };
  let signalHandler: ((s: "SIGINT" | "SIGTERM") => void) | undefined;
  const result = (ok: boolean, extra: Partial<StackOpResult> = {}): StackOpResult => ({
    ok,
    steps: [],
    output: "",
    ...extra,
  });
  const deps: HarnessDeps = {
    workDir: root,
    repoRoot: root,
    env,
    nodeVersion: "v20.20.2",
    log: (line) => (run.log += `${line}\n`),
    findPulumi: async () => (calls.push("find pulumi"), CLI),
    installPulumi: async () => void calls.push("install pulumi"),
    goAvailable: async () => true,
    pingDocker: async () => undefined,
    ownEdgeHolds: async () => false,
    engine: (_cli, stack, engineEnv, engineConfig) => {
      run.stack = stack;
      run.engineEnv = engineEnv;
      run.engineConfig = engineConfig;
      return {
        async up(io: StackOpIo) {
          calls.push("up");
          if (scenario === "up-fail") {
            return result(false, {
              output: "container t-tenant-alpha is unhealthy (its healthcheck retries are used up)\n",
              error: "update failed",
            });
          }
          if (scenario === "hang") {
            setTimeout(() => signalHandler?.(overrides.signal ?? "SIGINT"), 5);
            await new Promise((r) => io.signal?.addEventListener("abort", r, { once: true }));
            calls.push("up: aborted");
            return result(false, { error: "cancelled" });
          }
          const s = summary(scenario === "replay-fail");
          return result(true, {
            outputs: {
              replays: { value: s, secret: false },
              replaysPassed: { value: scenario !== "replay-fail", secret: false },
              edgeUrl: { value: "http://127.0.0.1:1234", secret: false },
              reports: { value: s.reports, secret: false },
            },
          });
        },
        async destroy() {
          calls.push("destroy");
          return result(scenario !== "destroy-fail", scenario === "destroy-fail" ? { error: "boom" } : {});
        },
      };
    },
    onSignal: (handler) => {
      signalHandler = handler;
      return () => (signalHandler = undefined);
    },
    ...overrides,
  };
  run.code = await runHarness(deps);
  return run;
}

const lastLine = (run: Run) => run.log.trim().split("\n").at(-1);

describe("npm run harness (control flow, with stand-ins)", () => {
  test("all replays pass: preflight, up, summary, destroy; exit 0", async () => {
    const run = await harness("pass");
    assert.equal(run.code, 0, run.log);
    assert.deepEqual(run.calls, ["find pulumi", "up", "destroy"]);
    assert.equal(run.stack, "harness");
    assert.equal(
      run.engineEnv?.PULUMI_CONFIG_PASSPHRASE,
      "harness-local-only",
      "the documented default passphrase",
    );
    assert.equal(run.engineEnv?.HARNESS_REBUILD_NONCE, undefined);
    assert.match(run.log, /pulumi v3\.276\.0 \(the toolchain's\)/);
    assert.match(run.log, /PASS {2}buildinfo-stale-image \(#2395\)/);
    assert.equal(lastLine(run), "2 passed, 0 failed, 0 skipped");
    const record = JSON.parse(readFileSync(join(run.root, ".harness/reports/harness/harness.json"), "utf8"));
    assert.equal(record.result, "passed");
    assert.equal(record.reports.junit, "/tmp/fake/junit.xml", "the runner's JUnit, from the outputs");
  });

  test("a replay fails: exit 1, the summary says which, the stack is still destroyed", async () => {
    const run = await harness("replay-fail");
    assert.equal(run.code, 1, run.log);
    assert.match(run.log, /FAIL {2}buildinfo-stale-image .* — tenant alpha reports GIT_SHA dev/);
    assert.ok(run.calls.includes("destroy"));
    assert.equal(lastLine(run), "1 passed, 1 failed, 0 skipped");
  });

  test("up fails: exit 2, destroy still runs, a JUnit failure and a step summary say why", async () => {
    const summaryFile = join(scratch, "step-summary.md");
    const run = await harness("up-fail", { GITHUB_STEP_SUMMARY: summaryFile });
    assert.equal(run.code, 2, run.log);
    assert.deepEqual(run.calls, ["find pulumi", "up", "destroy"]);
    const junit = readFileSync(join(run.root, ".harness/reports/harness/junit.xml"), "utf8");
    assert.match(junit, /<testcase classname="harness" name="pulumi up">/);
    assert.match(junit, /failures="1"/);
    assert.match(junit, /tenant-alpha is unhealthy/, "the tail of the engine's output");
    assert.match(readFileSync(summaryFile, "utf8"), /the harness itself failed/);
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    test(`${signal} during up: the up is cancelled once, destroy still runs; exit ${code}`, async () => {
      const run = await harness("hang", {}, { signal });
      assert.equal(run.code, code, run.log);
      assert.deepEqual(run.calls, ["find pulumi", "up", "up: aborted", "destroy"]);
      assert.match(
        readFileSync(join(run.root, ".harness/reports/harness/junit.xml"), "utf8"),
        new RegExp(`interrupted by ${signal}`),
      );
    });
  }

  test("KEEP_UP=1: no destroy, and it says how to look and how to tear down", async () => {
    const run = await harness("pass", { KEEP_UP: "1" });
    assert.equal(run.code, 0, run.log);
    assert.ok(!run.calls.includes("destroy"));
    assert.match(
      run.log,
      /replays: {3}npm run replays -- --stack harness \[--include <glob>\]\.\.\. \[--watch\]/,
    );
    assert.match(run.log, /outputs: {3}npm run stack -- outputs --stack harness/);
    assert.match(run.log, /tear down: npm run stack -- destroy --stack harness/);
  });

  test("REBUILD=1 sets the rebuild nonce; a passphrase the user set is kept; HARNESS_STACK picks the stack", async () => {
    const run = await harness("pass", {
      REBUILD: "1",
      PULUMI_CONFIG_PASSPHRASE: "mine",
      HARNESS_STACK: "ci-42",
    });
    assert.equal(run.code, 0, run.log);
    assert.match(run.engineEnv?.HARNESS_REBUILD_NONCE ?? "", /^\d+$/);
    assert.equal(
      run.engineEnv?.PULUMI_CONFIG_PASSPHRASE,
      undefined,
      "the user's own stays in the environment",
    );
    assert.equal(run.stack, "ci-42");
  });

  test("--stack wins over HARNESS_STACK; --only narrows this up's replays without touching the stack file", async () => {
    const root = project();
    writeFileSync(join(root, "Pulumi.e2e.yaml"), "config:\n  harness:replays:\n    dir: mine\n");
    const run = await harness(
      "pass",
      { HARNESS_STACK: "ci-42" },
      { root, argv: ["--stack", "e2e", "--only", "peer-*", "--only", "x.sh"] },
    );
    assert.equal(run.code, 0, run.log);
    assert.equal(run.stack, "e2e");
    assert.deepEqual(run.engineConfig, { "harness:replays": { dir: "mine", include: ["peer-*", "x.sh"] } });
    assert.match(run.log, /--only peer-\* x\.sh: this up runs only the matching replays/);
    assert.equal(
      readFileSync(join(root, "Pulumi.e2e.yaml"), "utf8"),
      "config:\n  harness:replays:\n    dir: mine\n",
    );
    assert.equal((await harness("pass")).engineConfig, undefined, "no --only: no override");
  });

  test("a bad argument: what is wrong and the usage; nothing is started; exit 2", async () => {
    const run = await harness("pass", {}, { argv: ["--keep-up"] });
    assert.equal(run.code, 2);
    assert.deepEqual(run.calls, []);
    assert.match(
      run.log,
      /\[harness\] ✗ Unknown option '--keep-up'.*\nusage: npm run harness -- \[--stack <name>\] \[--only <glob>\]/s,
    );
  });

  test("destroy fails: exit 2 even though every replay passed", async () => {
    const run = await harness("destroy-fail");
    assert.equal(run.code, 2, run.log);
    assert.match(run.log, /pulumi destroy` failed: .* run `npm run stack -- destroy --stack harness` again/);
  });

  test("preflight: every problem at once, each with its fix, and nothing is started", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const run = await harness(
        "pass",
        {},
        {
          root: project(port),
          findPulumi: async () => ({ version: "v3.100.0", source: "PATH", env: {} }),
          pingDocker: async () => {
            throw new Error(
              "the Docker engine at unix:///nope.sock is not reachable (ENOENT): start the Docker engine",
            );
          },
        },
      );
      assert.equal(run.code, 2, run.log);
      assert.deepEqual(run.calls, [], "no engine operation ran");
      assert.match(
        run.log,
        /Pulumi CLI v3\.100\.0 \(PATH\) is not supported .* ≥ 3\.121\.0\)\n\s+fix: upgrade it/,
      );
      assert.match(run.log, /Docker engine .* is not reachable[\s\S]*fix: start the Docker engine/);
      assert.match(
        run.log,
        new RegExp(`edge port 127\\.0\\.0\\.1:${port} .* already in use\\n\\s+fix: free it`),
      );
      assert.match(run.log, /3 problem\(s\): nothing was started/);
      assert.ok(!existsSync(join(run.root, ".harness")), "no report: nothing ran");
    } finally {
      busy.close();
    }
  });

  test("preflight: no CLI anywhere: it tries the official installer once, then says both ways to get one", async () => {
    const calls: string[] = [];
    const run = await harness(
      "pass",
      {},
      {
        findPulumi: async () => (calls.push("find"), undefined),
        installPulumi: async () => {
          calls.push("install");
          throw new Error("getaddrinfo ENOTFOUND get.pulumi.com");
        },
      },
    );
    assert.equal(run.code, 2, run.log);
    assert.deepEqual(calls, ["find", "install"]);
    assert.match(
      run.log,
      /no Pulumi CLI: .*installing the official CLI failed: getaddrinfo ENOTFOUND get\.pulumi\.com/,
    );
    assert.match(
      run.log,
      /fix: build it from its Go modules: `npm run pulumi:toolchain`.*or install the official CLI/,
    );
  });

  test("preflight: HARNESS_INSTALL_PULUMI=0 never installs; an install that works is used", async () => {
    let installs = 0;
    const none = await harness(
      "pass",
      { HARNESS_INSTALL_PULUMI: "0" },
      {
        findPulumi: async () => undefined,
        installPulumi: async () => void installs++,
      },
    );
    assert.equal(none.code, 2);
    assert.equal(installs, 0);
    let installed = false;
    const ok = await harness(
      "pass",
      {},
      {
        findPulumi: async () =>
          installed ? { version: "v3.270.0", source: "installed", env: {} } : undefined,
        installPulumi: async () => void (installed = true),
      },
    );
    assert.equal(ok.code, 0, ok.log);
    assert.match(ok.log, /pulumi v3\.270\.0 \(installed by the harness\)/);
  });
});

describe("npm run harness: the config coherence lint in the preflight (harness:production)", () => {
  test("not set (undefined): not mentioned, the run goes on", async () => {
    const asked: string[] = [];
    const run = await harness("pass", {}, { lintProduction: (stack) => void asked.push(stack) });
    assert.equal(run.code, 0, run.log);
    assert.deepEqual(asked, ["harness"]);
    assert.doesNotMatch(run.log, /coherence/);
  });

  test("coherent: one line says so, the run goes on", async () => {
    const run = await harness(
      "pass",
      {},
      {
        lintProduction: async () => ({
          code: 0,
          text: "…\ncoherent: 0 errors, 1 allowed, 2 documented (exit 0)\n",
          summary: "coherent: 0 errors, 1 allowed, 2 documented (exit 0)",
        }),
      },
    );
    assert.equal(run.code, 0, run.log);
    assert.match(
      run.log,
      /config coherence with production \(harness:production\): coherent: 0 errors, 1 allowed/,
    );
    assert.deepEqual(run.calls, ["find pulumi", "up", "destroy"]);
  });

  test("drift: it refuses to boot, printing the lint's table; exit 2", async () => {
    const table =
      "config coherence: stack harness (tenants alpha, beta) vs production deploy/tenant.yaml (k8s)\n\n" +
      "missing — production sets it, the harness does not (1 error)\n" +
      "  VARIABLE           TENANTS  FINDING  FIX\n" +
      "  FEATURE_FLAGS_URL  all      production sets it (env)  …\n\n" +
      "drift: 1 error, 0 allowed, 2 documented (exit 1)\n";
    const run = await harness(
      "pass",
      {},
      {
        lintProduction: () => ({
          code: 1,
          text: table,
          summary: "drift: 1 error, 0 allowed, 2 documented (exit 1)",
        }),
      },
    );
    assert.equal(run.code, 2, run.log);
    assert.ok(!run.calls.includes("up"), "nothing was started");
    assert.match(run.log, /^ {2}FEATURE_FLAGS_URL {2}all/m);
    assert.match(
      run.log,
      /✗ the tenants' environment drifts from production's \(harness:production; drift: 1 error, 0 allowed, 2 documented; the table above\)\n\s+fix: follow production in the harness, or allow an intended difference with its reason in harness\.drift\.yaml; check again: `npm run lint:config -- --stack harness`/,
    );
    assert.match(run.log, /1 problem\(s\): nothing was started/);
  });

  test("a bad input (the production file is gone): a problem with its fix; exit 2", async () => {
    const run = await harness(
      "pass",
      {},
      {
        lintProduction: () => ({
          code: 2,
          text: "config coherence: bad input (exit 2)\n  production file deploy/tenant.yaml does not exist\n",
          summary: "production file deploy/tenant.yaml does not exist: check the path",
        }),
      },
    );
    assert.equal(run.code, 2, run.log);
    assert.ok(!run.calls.includes("up"));
    assert.match(
      run.log,
      /✗ the config coherence lint cannot run: production file deploy\/tenant\.yaml does not exist: check the path\n\s+fix: fix harness:production or the file it names/,
    );
  });

  test("for real (config-lint's preflightLint on a stack with harness:production): drift names the variable", async () => {
    const s = scratchRoot({ "harness:edge": { port: 0 }, "harness:production": "deploy/tenant.env" });
    try {
      s.write("deploy/tenant.env", "MOLECULE_ENV=production\nFEATURE_FLAGS_URL=https://flags.example.com\n");
      const run = await harness(
        "pass",
        {},
        { root: s.root, lintProduction: (stack) => preflightLint(s.root, stack) },
      );
      assert.equal(run.code, 2, run.log);
      assert.ok(!run.calls.includes("up"));
      assert.match(run.log, /^ {2}FEATURE_FLAGS_URL +all +production sets it \(dotenv\)/m);
      assert.match(run.log, /drifts from production's \(harness:production; drift: \d+ errors/);
      // Without harness:production: not checked.
      s.stack({ "harness:edge": { port: 0 } });
      assert.equal(preflightLint(s.root, "harness"), undefined);
    } finally {
      s.dispose();
    }
  });
});

describe("npm run harness: report.html", () => {
  /** An up whose replays Command wrote report.html, with the engine events of its seed and (if `ran`) replays. */
  function reportingUp(html: string, ranReplays: boolean): Partial<HarnessDeps> {
    const t0 = 1_000_000;
    const event = (atMs: number, kind: "resourcePreEvent" | "resOutputsEvent", name: string) => ({
      at: t0 + atMs,
      event: {
        sequence: 0,
        timestamp: 0,
        [kind]: {
          metadata: {
            op: "create",
            urn: `urn:pulumi:harness::harness::command:local:Command::${name}`,
            type: "command:local:Command",
            provider: "",
          },
        },
      } as EngineEvent,
    });
    return {
      engine: () => ({
        async up(io: StackOpIo) {
          writeHtmlReport(html, buildReportData(reportInputs()));
          io.onEvent?.(event(4200, "resourcePreEvent", "seed-command"));
          io.onEvent?.(event(4500, "resOutputsEvent", "seed-command"));
          if (ranReplays) {
            io.onEvent?.(event(4600, "resourcePreEvent", "replays-command"));
            io.onEvent?.(event(7600, "resOutputsEvent", "replays-command"));
          }
          const s = { ...summary(true), reports: { ...summary(true).reports, html } };
          return {
            ok: true,
            steps: [],
            output: "",
            startedAt: t0,
            outputs: {
              replays: { value: s, secret: false },
              replaysPassed: { value: false, secret: false },
              reports: { value: s.reports, secret: false },
            },
          };
        },
        async destroy() {
          return { ok: true, steps: [], output: "" };
        },
      }),
    };
  }

  test("the up's phases go into report.html and harness.json; its path is printed last, before the summary line", async () => {
    const root = project();
    const html = join(root, ".harness/reports/harness/report.html");
    const run = await harness("replay-fail", {}, { root, ...reportingUp(html, true) });
    assert.equal(run.code, 1, run.log);
    const lines = run.log.trim().split("\n");
    assert.deepEqual(lines.slice(-2), [`[harness] report: ${html}`, "1 passed, 1 failed, 0 skipped"]);
    const page = readFileSync(html, "utf8");
    assert.match(page, /boot \(build, start, every container healthy\)<\/th><td>4\.2 s/);
    assert.match(page, /<th>seed<\/th><td>300 ms/);
    assert.match(page, /replays and suites \(the replays Command\)<\/th><td>3\.0 s/);
    assert.match(page, /<th>whole up<\/th>/);
    assert.match(page, /<th>destroy<\/th>/);
    const record = JSON.parse(readFileSync(join(root, ".harness/reports/harness/harness.json"), "utf8"));
    assert.equal(record.phases.bootToHealthyMs, 4200);
    assert.equal(record.phases.seedMs, 300);
    assert.equal(record.phases.replaysMs, 3000);
  });

  test("the replays did not run in this up (nothing they test changed): the report is left as it was", async () => {
    const root = project();
    const html = join(root, ".harness/reports/harness/report.html");
    const run = await harness("pass", {}, { root, ...reportingUp(html, false) });
    assert.match(run.log, /\[harness\] report: .*report\.html\n.*\n?$/);
    assert.doesNotMatch(readFileSync(html, "utf8"), /<th>whole up<\/th>/);
  });
});
