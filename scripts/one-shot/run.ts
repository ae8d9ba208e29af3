/**
 * `npm run harness` — the one-shot runner (successor of run-all-replays.sh): preflight → `up` on the
 * stack (refreshed first, so objects removed by hand since a KEEP_UP run come back; progress
 * streamed) → outputs → summary and reports → destroy on every path (success, failure,
 * Ctrl-C/SIGTERM) unless KEEP_UP=1. It drives the real engine through scripts/pulumi (the Automation
 * API, the program run inline, each operation in a child process), with the CLI found on PATH, in
 * the toolchain `npm run pulumi:toolchain` builds, or installed for it (preflight).
 * Exit: 0 every replay passed, 1 a replay failed, 2 the harness itself failed (preflight, boot, seed,
 * outputs, teardown), 130/143 interrupted (after the teardown).
 * Everything it touches comes in through `HarnessDeps` (tests drive it with stand-ins).
 */
import { existsSync } from "node:fs";
import type { PreflightLint } from "../../tools/config-lint/lint";
import { summaryCounts, summaryPassed, type ReplaySummary } from "../../program/contracts/summary";
import { REBUILD_NONCE_ENV } from "../../program/config/schema";
import { rerenderHtmlReport } from "../../runner/reports/html";
import type { ReportPhases } from "../../runner/reports/report-data";
import type { PulumiCli } from "../pulumi/engine";
import type { StackOpIo, StackOpResult, StampedEvent } from "../pulumi/stack-op";
import { HARNESS_USAGE, onlyConfig, parseHarnessArgs } from "./args";
import { checkNode, checkPulumi, edgePortProblem, portFree, type Problem } from "./preflight";
import {
  appendHarnessFailureSummary,
  harnessReportsDir,
  renderSummary,
  upPhasesOf,
  writeHarnessFailureJunit,
  writeRunRecord,
  type HarnessResult,
} from "./reports";
import { chooseEngine, engineConfigValue, readEngineFile, type EngineLoad, type PoolEngine } from "./pool";
import { edgeOfStack, engineOfStack, projectOf } from "./stack-file";
import type { EngineAccess } from "../../program/contracts/engine";
import { passphraseEnv } from "../pulumi/passphrase";

export const EXIT = { passed: 0, replaysFailed: 1, harnessFailed: 2, SIGINT: 130, SIGTERM: 143 } as const;

/** The stack's engine operations (scripts/pulumi/stack-op.ts). */
export interface HarnessEngine {
  /** `up --refresh`; the result carries the outputs. */
  up(io: StackOpIo): Promise<StackOpResult>;
  destroy(io: StackOpIo): Promise<StackOpResult>;
}

export interface HarnessDeps {
  /** Holds Pulumi.yaml and Pulumi.<stack>.yaml (the repository root, where npm runs the script). */
  workDir: string;
  /** Where the reports go (`.harness/reports/<stack>`, beside the runner's). */
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  /** The command line after `npm run harness --` (scripts/one-shot/args.ts); absent: none. */
  argv?: string[];
  nodeVersion: string;
  /** Progress for humans. */
  log: (line: string) => void;
  /** The CLI to use, or undefined when there is none. */
  findPulumi: () => Promise<PulumiCli | undefined>;
  /** Installs the official CLI (no CLI was found); throws with the reason. */
  installPulumi: () => Promise<void>;
  /** Whether `go` is installed (the toolchain is then an option). */
  goAvailable: () => Promise<boolean>;
  /** Throws a message with the fix when Docker does not answer; `engine`: the stack's (harness:engine). */
  pingDocker: (engine?: EngineAccess) => Promise<void>;
  /** The harness stacks (`harness.stack` labels) running on an engine of a pool (`--engines`). */
  stacksOn?: (engine: EngineAccess) => Promise<string[]>;
  /** Whether our own stack's edge holds the port (a kept-up stack: `up` will reuse it). */
  ownEdgeHolds: (stack: string, port: number) => Promise<boolean>;
  /** `config`: keys that replace the stack file's for this run's up only (`--only`). */
  engine: (
    cli: PulumiCli,
    stack: string,
    env: Record<string, string>,
    config?: Record<string, unknown>,
  ) => HarnessEngine;
  onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
  now?: () => number;
  /**
   * The config coherence lint of the stack (tools/config-lint/lint.ts `preflightLint`): undefined when
   * the stack does not set `harness:production`. Absent: not checked.
   */
  lintProduction?: (stack: string) => PreflightLint | undefined | Promise<PreflightLint | undefined>;
}

async function findCli(deps: HarnessDeps): Promise<{ cli?: PulumiCli; problem?: Problem }> {
  let cli = await deps.findPulumi();
  let installError: string | undefined;
  if (!cli && deps.env.HARNESS_INSTALL_PULUMI !== "0") {
    deps.log(
      "[harness] no Pulumi CLI on PATH or in the toolchain: installing the official one (get.pulumi.com) …",
    );
    try {
      await deps.installPulumi();
      cli = await deps.findPulumi();
    } catch (error) {
      installError = (error as Error).message.split("\n")[0];
    }
  }
  const problem = checkPulumi(cli, await deps.goAvailable(), installError);
  return problem ? { problem } : { cli };
}

/** With `harness:production` set: drift or a bad input is a problem; the lint's table is shown. */
async function productionProblem(
  deps: HarnessDeps,
  stack: string,
  details: string[],
): Promise<Problem | undefined> {
  if (!deps.lintProduction) return undefined;
  const lint = await deps.lintProduction(stack);
  if (!lint) return undefined;
  const rerun = `\`npm run lint:config -- --stack ${stack}\``;
  if (lint.code === 0) {
    deps.log(`[harness] config coherence with production (harness:production): ${lint.summary}`);
    return undefined;
  }
  details.push(...lint.text.trimEnd().split("\n"));
  if (lint.code === 1) {
    return {
      what: `the tenants' environment drifts from production's (harness:production; ${lint.summary.replace(/ \(exit 1\)$/, "")}; the table above)`,
      fix: `follow production in the harness, or allow an intended difference with its reason in harness.drift.yaml; check again: ${rerun}`,
    };
  }
  return {
    what: `the config coherence lint cannot run: ${lint.summary.split("\n")[0]}`,
    fix: `fix harness:production or the file it names (docs/pulumi.md), then: ${rerun}`,
  };
}

/**
 * `--engines`: the pool's engine for the stack (scripts/one-shot/pool.ts), by counting the stacks
 * running on each; or the problem.
 */
async function pickEngine(
  deps: HarnessDeps,
  file: string,
  stack: string,
): Promise<{ engine: PoolEngine; reason: string } | { problem: string }> {
  const engines = readEngineFile(file);
  if (typeof engines === "string") return { problem: `--engines ${file}: ${engines}` };
  const count = deps.stacksOn;
  if (!count) return { problem: "--engines: this runner cannot count stacks on engines" };
  const loads: EngineLoad[] = await Promise.all(
    engines.map(async (engine) => ({
      engine,
      stacks: await count(engine).catch((error: Error) => ({ error: error.message.split("\n")[0] })),
    })),
  );
  return chooseEngine(loads, `${projectOf(deps.workDir)}/${stack}`);
}

async function preflight(
  deps: HarnessDeps,
  stack: string,
  pooled?: PoolEngine,
): Promise<{ problems: Problem[]; cli?: PulumiCli; details: string[] }> {
  const problems: Problem[] = [];
  const details: string[] = [];
  const node = checkNode(deps.nodeVersion);
  if (node) problems.push(node);
  const { cli, problem } = await findCli(deps);
  if (problem) problems.push(problem);
  let dockerUp = true;
  // The stack's engine: the pool's pick, else the stack file's harness:engine (absent: Docker's defaults).
  const engine = pooled ?? engineOfStack(deps.workDir, stack);
  try {
    await deps.pingDocker(engine?.host ? engine : undefined);
  } catch (error) {
    dockerUp = false;
    const [what, ...fix] = (error as Error).message.split(": ");
    problems.push({ what, fix: fix.join(": ") || "start the Docker engine" });
  }
  const edge = edgeOfStack(deps.workDir, stack);
  // On a configured engine the edge binds its publishAddress, which this machine may not have.
  if (!engine && edge.port !== 0 && !(await portFree(edge.port, edge.bindAddress))) {
    const ours = dockerUp && (await deps.ownEdgeHolds(stack, edge.port).catch(() => false));
    if (!ours) problems.push(edgePortProblem(edge.port, edge.bindAddress, stack));
  }
  const drift = await productionProblem(deps, stack, details);
  if (drift) problems.push(drift);
  return { problems, cli, details };
}

interface Attempt {
  upStarted: boolean;
  upMs?: number;
  /** Of this up, from the engine's events. */
  phases?: ReportPhases;
  upTail: string[];
  error?: string;
  summary?: ReplaySummary;
  passed?: boolean;
  edgeUrl?: string;
  reports: { json?: string; junit?: string; html?: string; artifacts?: string | null };
}

function tail(text: string, lines = 60): string[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-lines);
}

/** up → outputs. Never throws: what went wrong is in `error`. */
async function attempt(
  engine: HarnessEngine,
  stack: string,
  log: (l: string) => void,
  io: StackOpIo,
  now: () => number,
): Promise<Attempt> {
  const a: Attempt = { upStarted: true, upTail: [], reports: {} };
  log(`pulumi up --refresh --stack ${stack} (build, boot, seed, replays)`);
  const upAt = now();
  const events: StampedEvent[] = [];
  const up = await engine.up({ ...io, onEvent: (e) => events.push(e) });
  a.upMs = now() - upAt;
  a.phases = upPhasesOf(events, up.startedAt ?? upAt, a.upMs);
  a.upTail = tail(`${up.output}\n${up.error ?? ""}`);
  if (!up.ok) {
    a.error = `\`pulumi up\` failed: the harness itself failed (a build, a container that never got healthy, the seed, or the runner); see its output above`;
    return a;
  }
  const outputs = Object.fromEntries(Object.entries(up.outputs ?? {}).map(([k, v]) => [k, v.value]));
  a.summary = outputs.replays as ReplaySummary | undefined;
  a.passed = typeof outputs.replaysPassed === "boolean" ? outputs.replaysPassed : undefined;
  a.edgeUrl = typeof outputs.edgeUrl === "string" ? outputs.edgeUrl : undefined;
  a.reports = (outputs.reports as Attempt["reports"] | undefined) ?? {};
  if (!a.summary || a.passed === undefined)
    a.error = "the stack has no `replays`/`replaysPassed` outputs: was the replays Command created?";
  return a;
}

export async function runHarness(deps: HarnessDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  const started = now();
  const keepUp = deps.env.KEEP_UP === "1";
  const log = (line: string) => deps.log(`[harness] ${line}`);
  const args = parseHarnessArgs(deps.argv ?? [], deps.env);
  if (typeof args === "string") {
    log(`✗ ${args}`);
    deps.log(HARNESS_USAGE);
    return EXIT.harnessFailed;
  }
  const stack = args.stack;
  const dir = harnessReportsDir(deps.repoRoot, stack);

  let pooled: PoolEngine | undefined;
  if (args.engines) {
    const pick = await pickEngine(deps, args.engines, stack);
    if ("problem" in pick) {
      log(
        `✗ ${pick.problem}\n            fix: wait for a stack to finish, raise maxStacks, or add an engine to the pool`,
      );
      return EXIT.harnessFailed;
    }
    pooled = pick.engine;
    log(`engine pool: ${pooled.name} (${pooled.host ?? "Docker's defaults"}; ${pick.reason})`);
  }

  log(`preflight (stack ${stack})`);
  const { problems, cli, details } = await preflight(deps, stack, pooled);
  for (const line of details) deps.log(line);
  if (problems.length > 0 || !cli) {
    for (const p of problems) log(`✗ ${p.what}\n            fix: ${p.fix}`);
    log(`${problems.length} problem(s): nothing was started.`);
    return EXIT.harnessFailed;
  }

  log(
    `pulumi ${cli.version} (${cli.source === "PATH" ? "on PATH" : cli.source === "toolchain" ? "the toolchain's" : "installed by the harness"})` +
      `${cli.toolchain ? `, plugins from the toolchain (${cli.toolchain.dir})` : ""}`,
  );
  const env: Record<string, string> = passphraseEnv(deps.env);
  if (env.PULUMI_CONFIG_PASSPHRASE) {
    log("PULUMI_CONFIG_PASSPHRASE is unset: using the local stack's documented default (docs/pulumi.md)");
  }
  if (deps.env.REBUILD === "1") {
    // Read by the program, which runs in the engine operation's process (it inherits this env).
    env[REBUILD_NONCE_ENV] = String(now());
    log(
      `REBUILD=1: forcing the locally built images to rebuild (${REBUILD_NONCE_ENV}=${env[REBUILD_NONCE_ENV]})`,
    );
  }
  const only = onlyConfig(deps.workDir, stack, args.only);
  // The pool's pick, as this up's harness:engine (the stack file is not changed; outputs.engine records it).
  const config =
    only || pooled
      ? { ...only, ...(pooled ? { "harness:engine": engineConfigValue(pooled) } : {}) }
      : undefined;
  if (only) {
    log(
      `--only ${args.only.join(" ")}: this up runs only the matching replays (harness:replays.include for this up; Pulumi.${stack}.yaml is not changed)`,
    );
  }
  const engine = deps.engine(cli, stack, env, config);
  const controller = new AbortController();
  const io: StackOpIo = { signal: controller.signal, onOutput: (t) => deps.log(t.replace(/\n$/, "")) };

  let interrupted: "SIGINT" | "SIGTERM" | undefined;
  const unsubscribe = deps.onSignal((signal) => {
    if (!interrupted) {
      log(
        `${signal}: stopping \`pulumi\` (it cancels gracefully)${keepUp ? "; KEEP_UP=1: the stack stays" : ", then tearing down"}`,
      );
    }
    interrupted ??= signal;
    // Once: the engine finishes the steps in flight and records them, so destroy can remove them.
    controller.abort();
  });

  const a = await attempt(engine, stack, log, io, now);
  let result: HarnessResult;
  let code: number;
  let error = a.error;
  if (interrupted) {
    result = "interrupted";
    code = EXIT[interrupted];
    // The up failed because it was cancelled: say so, not "the harness itself failed".
    error = `interrupted by ${interrupted}`;
  } else if (error) {
    result = "harness-failed";
    code = EXIT.harnessFailed;
  } else {
    for (const line of renderSummary(a.summary!)) deps.log(line);
    const passed = a.passed === true && summaryPassed(a.summary!);
    result = passed ? "passed" : "replays-failed";
    code = passed ? EXIT.passed : EXIT.replaysFailed;
  }
  if (error) log(`✗ ${error}`);

  // Teardown, on every path that started an up.
  let destroyMs: number | undefined;
  if (keepUp) {
    log(`KEEP_UP=1: stack ${stack} stays up${a.edgeUrl ? ` (edge ${a.edgeUrl})` : ""}`);
    log(`  replays:   npm run replays -- --stack ${stack} [--include <glob>]... [--watch]`);
    log(`  outputs:   npm run stack -- outputs --stack ${stack} [--show-secrets]`);
    log(`  tear down: npm run stack -- destroy --stack ${stack}`);
  } else if (a.upStarted) {
    log(`pulumi destroy --stack ${stack}`);
    const destroyAt = now();
    // Not cancellable by the signal that may have stopped the up: the teardown must run.
    const destroy = await engine.destroy({ onOutput: io.onOutput });
    destroyMs = now() - destroyAt;
    if (!destroy.ok) {
      const message = `\`pulumi destroy\` failed: the stack may still be up; run \`npm run stack -- destroy --stack ${stack}\` again`;
      log(`✗ ${message}`);
      error = error ? `${error}; ${message}` : message;
      if (result !== "interrupted") {
        result = "harness-failed";
        code = EXIT.harnessFailed;
      }
    }
  }
  unsubscribe();

  // Reports CI can read, whatever happened.
  const reports = { ...a.reports };
  if (!a.summary) {
    reports.junit = writeHarnessFailureJunit(dir, stack, "pulumi up", error ?? result, a.upTail);
    if (deps.env.GITHUB_STEP_SUMMARY)
      appendHarnessFailureSummary(deps.env.GITHUB_STEP_SUMMARY, stack, error ?? result);
  }
  const s = a.summary;
  const phases: ReportPhases = { ...a.phases, ...(destroyMs === undefined ? {} : { destroyMs }) };
  // Only when the replays ran in this up: otherwise the report keeps the phases of the up that ran them.
  if (reports.html && phases.replaysMs !== undefined) {
    try {
      rerenderHtmlReport(reports.html, phases);
    } catch (error) {
      log(`could not add the phase timings to the HTML report: ${(error as Error).message}`);
    }
  }
  const run = writeRunRecord(dir, {
    stack,
    result,
    exitCode: code,
    startedAt: new Date(started).toISOString(),
    durationsMs: { up: a.upMs, destroy: destroyMs, total: now() - started },
    phases,
    summaryLine: s ? renderSummary(s).at(-1) : undefined,
    replays: s ? summaryCounts(s) : undefined,
    reports,
    error,
    keptUp: keepUp,
    ...(pooled ? { engine: { name: pooled.name, host: pooled.host } } : {}),
  });
  log(
    `reports: ${[reports.json, reports.junit, reports.artifacts ?? undefined, run].filter(Boolean).join(", ")}`,
  );
  log(`result: ${result} (exit ${code})`);
  // The page to open, last before the summary line.
  if (reports.html && existsSync(reports.html)) log(`report: ${reports.html}`);
  // The last line of every run.
  if (s) deps.log(renderSummary(s).at(-1)!);
  return code;
}
