/**
 * `runReplays(options)`: discover → compile the TypeScript replays (once, esbuild) → read declarations →
 * run each replay isolated (a bash replay in its own process group, a TypeScript replay in a fresh
 * worker thread of the run's replay host) → classify → write results.json, junit.xml, report.html,
 * the GitHub step summary and (on FAIL/XPASS) failure artifacts. Human progress goes to `progress`
 * (stderr in the CLI); the returned summary is what the CLI prints on stdout. Throws HarnessError only
 * for problems of the harness itself.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { SeedResult } from "../program/contracts/seed";
import { summaryLine, type ReplayResult, type ReplaySummary } from "../program/contracts/summary";
import type { SuiteSpec } from "../program/contracts/suites";
import type { HarnessTarget } from "../program/contracts/target";
import {
  collectArtifacts,
  dockerLogSource,
  type CollectedArtifacts,
  type ContainerLogSource,
  type JournalSource,
} from "./artifacts";
import { bundlePath, bundleRunner, checkoutRoot } from "./bundle";
import { compileReplays } from "./compile";
import { cpStubFor } from "./cp-stub";
import { describeReplays, type Declared } from "./describe";
import { discoverReplays, type ReplayFile } from "./discover";
import { egressNotes, judgeEgress } from "./egress";
import { errorMessage, HarnessError } from "./errors";
import { ReplayHost, type HostCommand } from "./host-client";
import { printHeader, printResult } from "./progress";
import { appendStepSummary } from "./reports/github-summary";
import { writeHtmlReport } from "./reports/html";
import { writeJsonReport } from "./reports/json";
import { writeJunitReport } from "./reports/junit";
import { buildReportData } from "./reports/report-data";
import { outputFileOf, runOneReplay } from "./run-one";
import { schedule } from "./schedule";
import { harnessEnv, suiteEnv } from "./shell-env";
import { filterSuites, runSuites } from "./suites";

export interface RunOptions {
  replaysDir: string;
  include?: readonly string[];
  exclude?: readonly string[];
  /** Per-replay timeout (a replay may declare its own). Default 120. */
  timeoutSeconds?: number;
  /** Replays declared independent may run this many at a time. Default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  target: HarnessTarget;
  seed: SeedResult;
  /** Inherited by every replay (under the harness variables). Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Human progress, one line per call, no trailing newline. Default: stderr. */
  progress?: (line: string) => void;
  /** Between SIGTERM and SIGKILL of a timed-out replay's process group. Default 5000. */
  killGraceMs?: number;
  /** A replay's output file stops growing here. Default 50 MB. */
  maxOutputBytes?: number;
  /** Output tail kept in memory per replay (progress on failure, JUnit system-out). Default 64 KB. */
  tailBytes?: number;
  /** Aborting stops the run: running replays are killed, the rest reported as not run. */
  signal?: AbortSignal;
  /** Container logs for artifacts; null disables. Default: dockerode on the target's engine. */
  logSource?: ContainerLogSource | null;
  /** cp-stub journal for artifacts; null disables. Default: GET <cpStubUrl>/__stub/requests. */
  journal?: JournalSource | null;
  /** File the GitHub step summary is appended to; null disables. Default: $GITHUB_STEP_SUMMARY. */
  stepSummaryFile?: string | null;
  /** Working directory of every replay. Default: the replays directory's parent (as the anchor). */
  cwd?: string;
  /** The stack's own suites (HARNESS_SUITES), run after the replays; include/exclude select them by name. */
  suites?: readonly SuiteSpec[];
  /** Where relative suite cwds start. Default: the repository root (this checkout). */
  suitesRoot?: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 120;
/** How many independent replays run at once unless told otherwise (program/config/schema.ts has the same). */
export const DEFAULT_CONCURRENCY = 3;

/**
 * `node runner/dist/replay-host.js`: beside this file when the runner runs from its bundle
 * (runner/dist/cli.js); otherwise (the sources under tsx: tests, replays:local, the bench) built
 * first, or found current, in the checkout's runner/dist.
 */
export function hostCommand(): HostCommand {
  const args = (file: string) => ({ command: process.execPath, args: ["--enable-source-maps", file] });
  const sibling = join(__dirname, "replay-host.js");
  if (!__filename.endsWith(".ts") && existsSync(sibling)) return args(sibling);
  const root = checkoutRoot(__dirname);
  try {
    bundleRunner(root);
  } catch (error) {
    throw new HarnessError(`cannot bundle the replay host (runner/dist): ${errorMessage(error)}`);
  }
  return args(bundlePath(root, "replay-host"));
}

/** runner/shell/replay-helpers.sh, whether this runs from the sources or from runner/dist/. */
export function helpersFile(): string {
  const beside = join(__dirname, "shell", "replay-helpers.sh");
  return existsSync(beside) ? beside : join(checkoutRoot(__dirname), "runner", "shell", "replay-helpers.sh");
}

function summarize(
  results: ReplayResult[],
  durationMs: number,
  reports: ReplaySummary["reports"],
): ReplaySummary {
  const count = (status: ReplayResult["status"]) => results.filter((r) => r.status === status).length;
  return {
    total: results.length,
    passed: count("PASS"),
    failed: count("FAIL"),
    skipped: count("SKIP"),
    xfailed: count("XFAIL"),
    xpassed: count("XPASS"),
    durationMs,
    results,
    reports,
  };
}

export async function runReplays(options: RunOptions): Promise<ReplaySummary> {
  const started = Date.now();
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const defaultTimeout = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const killGraceMs = options.killGraceMs ?? 5000;
  const tailBytes = options.tailBytes ?? 64 * 1024;
  const maxOutputBytes = options.maxOutputBytes ?? 50 * 1024 * 1024;
  const replaysDir = resolve(options.replaysDir);
  const cwd = options.cwd ?? dirname(replaysDir);

  const suites = filterSuites(options.suites ?? [], options.include, options.exclude);
  const replays = discoverReplays({
    dir: replaysDir,
    include: options.include,
    exclude: options.exclude,
    suites: (options.suites ?? []).map((s) => s.name),
  });

  const reportsDir = resolve(options.target.reportsDir);
  const outputDir = join(reportsDir, "output");
  const artifactsDir = join(reportsDir, "artifacts");
  const jsonFile = join(reportsDir, "results.json");
  const junitFile = join(reportsDir, "junit.xml");
  const htmlFile = join(reportsDir, "report.html");
  try {
    // Stale output or artifacts of an earlier run would mislead whoever reads them.
    rmSync(outputDir, { recursive: true, force: true });
    rmSync(artifactsDir, { recursive: true, force: true });
    mkdirSync(outputDir, { recursive: true });
  } catch (error) {
    throw new HarnessError(`cannot prepare the reports directory ${reportsDir}: ${errorMessage(error)}`);
  }

  const helpers = helpersFile();
  const env: NodeJS.ProcessEnv = {
    ...(options.baseEnv ?? process.env),
    ...harnessEnv({ target: options.target, seed: options.seed, helpersFile: helpers }),
    HARNESS_TARGET: JSON.stringify(options.target),
    HARNESS_SEED: JSON.stringify(options.seed),
  };
  if (replays.some((r) => r.kind === "sh") && !existsSync(join(replaysDir, "..", "_curl.sh"))) {
    progress(
      `[runner] note: anchor-style shell replays source ../_curl.sh, and ${join(replaysDir, "..", "_curl.sh")} does not exist; new scripts can \`source "$HARNESS_HELPERS"\``,
    );
  }

  // TypeScript replays: compiled once (esbuild, in its own process) while the run's host process
  // starts; each replay then runs in a fresh worker thread of the host, found ready (prewarmed: as
  // many as may start at once, and at least two, so a replay that ends at once does not wait).
  const ts = replays.filter((r) => r.kind === "ts");
  const pool = Math.min(Math.max(concurrency, 2), ts.length);
  let tsNotStarted = ts.length;
  const compiling = compileReplays(ts.map((r) => r.file));
  // An unawaited rejection must not escape if starting the host throws first.
  compiling.catch(() => undefined);
  const host =
    ts.length > 0 ? new ReplayHost({ host: hostCommand(), cwd, env, killGraceMs, log: progress }) : undefined;
  host?.start(pool);

  const results: (ReplayResult | undefined)[] = new Array(replays.length);
  const outputs = new Map<string, string>();
  const outputFiles: { name: string; file: string }[] = [];
  let declared = new Map<string, Declared>();
  let closing: Promise<void> = Promise.resolve();
  try {
    const compiled = new Map((await compiling).map((c) => [c.file, c]));
    declared = await describeReplays(replays, {
      host,
      compiled,
      outputDir,
      timeoutMs: Math.min(defaultTimeout, 60) * 1000,
      warm: pool,
    });

    const oneOptions = {
      host,
      compiled,
      // Keep as many workers waiting as replays may start next, none once the last one started.
      warm: () => Math.min(pool, --tsNotStarted),
      cwd,
      env,
      outputDir,
      defaultTimeoutSeconds: defaultTimeout,
      killGraceMs,
      maxOutputBytes,
      tailBytes,
      signal: options.signal,
    };
    const runOne = async (replay: ReplayFile, index: number) => {
      const declaration: Declared = declared.get(replay.name) ?? { closes: null, independent: false };
      outputFiles.push({ name: replay.name, file: outputFileOf(outputDir, replay) });
      printHeader(progress, replay.name);
      const run = await runOneReplay(replay, declaration, oneOptions);
      results[index] = run.result;
      outputs.set(replay.name, run.execution.digest.tail);
      const note =
        declaration.error && replay.kind === "ts" ? `declaration: ${declaration.error}` : undefined;
      printResult(progress, run, tailBytes, note);
    };

    await schedule(replays, {
      concurrency,
      independent: (replay) => declared.get(replay.name)?.independent === true,
      run: runOne,
      stopped: () => options.signal?.aborted === true,
    });
  } finally {
    // Stopping the host overlaps writing the reports; it is awaited before returning.
    closing = host?.close() ?? Promise.resolve();
  }

  // The suites after the replays, in config order, while the replay host stops.
  const suitesRun = await runSuites(suites, {
    root: options.suitesRoot ?? checkoutRoot(__dirname),
    stack: options.target.stack,
    env: { ...env, ...suiteEnv(options.target) },
    outputDir,
    killGraceMs,
    maxOutputBytes,
    tailBytes,
    signal: options.signal,
    progress,
  });

  const ran: ReplayResult[] = [
    ...replays.map(
      (replay, index) =>
        results[index] ?? {
          name: replay.name,
          status: "FAIL" as const,
          durationMs: 0,
          closes: declared.get(replay.name)?.closes ?? null,
          message: "not run: the runner was interrupted",
        },
    ),
    ...suitesRun.results,
  ];
  // Issue 14: outbound attempts the egress sinkhole caught, attributed to the replays' windows.
  const logSource =
    options.logSource === undefined
      ? dockerLogSource(undefined, undefined, options.target.engine)
      : options.logSource;
  const { results: finished, report: egress } = await judgeEgress(ran, options.target, logSource, started);
  const needsArtifacts = finished.some((r) => r.status === "FAIL" || r.status === "XPASS");
  const summary = summarize(finished, Date.now() - started, {
    json: jsonFile,
    junit: junitFile,
    html: htmlFile,
    artifacts: needsArtifacts ? artifactsDir : null,
  });
  if (egress) summary.egress = egress;
  for (const note of egressNotes(egress)) progress(`[runner] ${note}`);

  let collected: CollectedArtifacts | undefined;
  if (needsArtifacts) {
    progress(`[runner] collecting failure artifacts in ${artifactsDir}`);
    collected = await collectArtifacts({
      dir: artifactsDir,
      replayOutputs: outputFiles,
      suiteOutputs: suitesRun.outputFiles,
      containers: options.target.containers,
      logFiles: options.target.logFiles,
      logSource,
      journal:
        options.journal !== undefined
          ? options.journal
          : options.target.cpStubUrl
            ? cpStubFor(options.target.cpStubUrl, 5000)
            : null,
    });
    for (const note of collected.notes) progress(`[runner] artifacts: could not collect ${note}`);
  }

  writeJsonReport(jsonFile, summary);
  writeJunitReport(junitFile, summary, {
    suiteName: `harness replays (${options.target.stack})`,
    outputs,
    suiteOutputs: suitesRun.tails,
    timestamp: new Date(started).toISOString(),
  });
  writeHtmlReport(
    htmlFile,
    buildReportData({
      summary,
      target: options.target,
      outputs: new Map([...outputs, ...suitesRun.tails]),
      collected,
      generatedAt: new Date().toISOString(),
    }),
  );
  const stepSummary =
    options.stepSummaryFile === undefined
      ? (options.baseEnv ?? process.env).GITHUB_STEP_SUMMARY
      : options.stepSummaryFile;
  if (stepSummary) {
    try {
      appendStepSummary(stepSummary, summary, options.target.stack);
    } catch (error) {
      progress(`[runner] could not append to GITHUB_STEP_SUMMARY (${stepSummary}): ${errorMessage(error)}`);
    }
  }
  progress(`[runner] reports: ${jsonFile}, ${junitFile}, ${htmlFile}`);
  progress(summaryLine(summary));
  await closing;
  return summary;
}
