/**
 * The stack's own end-to-end suites (`harness:suites`, program/contracts/suites.ts), run after the replays in
 * the same runner invocation so they land in the same summary and reports. Each suite is
 * `bash -c <command>` in its cwd, through the same executor as a bash replay (runner/execute.ts):
 * its own process group, the timeout with SIGTERM then SIGKILL of the whole tree, the output capped
 * in `<reportsDir>/output/suites/<name>.log`. Its status is its exit code (0 PASS, else FAIL); the
 * JUnit file it writes, deleted before it starts so a stale one never counts, becomes its `cases`.
 */
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import fg from "fast-glob";
import { junitPattern, type SuiteSpec } from "../program/contracts/suites";
import type { ReplayResult, SuiteCase } from "../program/contracts/summary";
import { fileSafe } from "./artifacts";
import { classify, oneLine, withoutFailPrefix, type Classification, type Outcome } from "./classify";
import { selectsName } from "./discover";
import { errorMessage } from "./errors";
import { execute } from "./execute";
import { capCases, countCases, parseJunit } from "./junit-cases";
import { printHeader, printResult, type Progress } from "./progress";

/** Cases kept per suite (the summary is a stack output, kept in Pulumi's state). */
export const MAX_CASES = 1000;
/** A JUnit file larger than this is not read (it would be held in memory whole). */
export const MAX_JUNIT_BYTES = 32 * 1024 * 1024;

export interface SuitesOptions {
  /** Relative cwds start here: the repository root. */
  root: string;
  /** Replaces `${HARNESS_STACK}` in `junit`. */
  stack: string;
  /** The whole environment of every suite (HARNESS_SUITE is added per suite). */
  env: NodeJS.ProcessEnv;
  /** `<reportsDir>/output`: each suite's output goes to `suites/<name>.log` in it. */
  outputDir: string;
  killGraceMs: number;
  maxOutputBytes: number;
  tailBytes: number;
  signal?: AbortSignal;
  progress: Progress;
}

export interface SuitesRun {
  /** One result per suite, in config order (`kind: "suite"`). */
  results: ReplayResult[];
  /** Output file per suite that ran (for the failure artifacts). */
  outputFiles: { name: string; file: string }[];
  /** Output tail per suite name (JUnit system-out). */
  tails: Map<string, string>;
}

export function suiteOutputFile(outputDir: string, name: string): string {
  return join(outputDir, "suites", `${fileSafe(name)}.log`);
}

/** The suites `--include`/`--exclude` select, matched against the suite name (as replays are). */
export function filterSuites(
  suites: readonly SuiteSpec[],
  include: readonly string[] = [],
  exclude: readonly string[] = [],
): SuiteSpec[] {
  return suites.filter((s) => selectsName(s.name, include, exclude));
}

/** What the suite's JUnit file(s) held, or why they could not be read. */
export interface JunitRead {
  cases?: SuiteCase[];
  problem?: string;
}

function junitFiles(pattern: string, cwd: string): string[] {
  if (!fg.isDynamicPattern(pattern)) {
    const file = resolve(cwd, pattern);
    return existsSync(file) ? [file] : [];
  }
  return fg.sync(pattern, { cwd, absolute: true, dot: true, onlyFiles: true }).sort();
}

/** Reads every file matching `pattern` in `cwd`; the cases of all of them, in path order. */
export function readJunit(pattern: string, cwd: string): JunitRead {
  const files = junitFiles(pattern, cwd);
  if (files.length === 0) return { problem: `it wrote no JUnit file matching ${pattern} (in ${cwd})` };
  const cases: SuiteCase[] = [];
  for (const file of files) {
    const shown = relative(cwd, file);
    try {
      const size = statSync(file).size;
      if (size > MAX_JUNIT_BYTES) {
        return { problem: `its JUnit file ${shown} is too large to read (${size} bytes)` };
      }
      cases.push(...parseJunit(readFileSync(file, "utf8")));
    } catch (error) {
      return { problem: `its JUnit file ${shown} is malformed: ${errorMessage(error)}` };
    }
  }
  return { cases };
}

function howItEnded(outcome: Outcome): string {
  return outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.exitCode ?? "unknown"}`;
}

/**
 * A suite's status and one-line message. The exit code decides (0 PASS, else FAIL), a run that could
 * not start, was interrupted or timed out FAILs as a replay does, and a JUnit file that was
 * configured but is missing or malformed FAILs the suite saying so, with its exit status.
 */
export function suiteVerdict(outcome: Outcome, junit: JunitRead | null): Classification {
  if (outcome.spawnError !== null || outcome.interrupted || outcome.timedOut) {
    return classify(outcome);
  }
  const ended = howItEnded(outcome);
  if (junit?.problem) return { status: "FAIL", message: oneLine(`${junit.problem} (${ended})`) };
  const cases = junit?.cases ?? [];
  const { digest } = outcome;
  if (outcome.exitCode === 0) {
    return {
      status: "PASS",
      message: oneLine(cases.length > 0 ? countCases(cases) : (digest.lastLine ?? ended)),
    };
  }
  const failing = cases.filter((c) => c.status === "FAIL");
  if (failing.length > 0) {
    const [first] = failing;
    const what = first.message ? `${first.name}: ${first.message}` : first.name;
    return {
      status: "FAIL",
      message: oneLine(`${failing.length} of ${cases.length} cases failed, first ${what} (${ended})`),
    };
  }
  const said = digest.firstFailLine !== null ? withoutFailPrefix(digest.firstFailLine) : digest.lastLine;
  return { status: "FAIL", message: oneLine(`${said ?? "it printed nothing"} (${ended})`) };
}

function notRun(suite: SuiteSpec, message: string, startedAt = new Date()): ReplayResult {
  return {
    name: suite.name,
    kind: "suite",
    status: "FAIL",
    durationMs: 0,
    closes: null,
    message,
    startedAt: startedAt.toISOString(),
  };
}

/** Runs `suites` one after another, in order; never throws for anything a suite does. */
export async function runSuites(suites: readonly SuiteSpec[], o: SuitesOptions): Promise<SuitesRun> {
  const run: SuitesRun = { results: [], outputFiles: [], tails: new Map() };
  for (const suite of suites) {
    if (o.signal?.aborted) {
      run.results.push(notRun(suite, "not run: the runner was interrupted"));
      continue;
    }
    printHeader(o.progress, `${suite.name} (suite)`);
    const startedAt = new Date();
    const cwd = resolve(o.root, suite.cwd);
    const pattern = suite.junit === undefined ? undefined : junitPattern(suite.junit, o.stack);
    let problem: string | undefined;
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
      problem = `its cwd ${cwd} is not a directory: fix harness:suites cwd (relative to the repo root)`;
    } else if (pattern !== undefined) {
      // A JUnit file of an earlier run must never count as this run's.
      try {
        for (const file of junitFiles(pattern, cwd)) rmSync(file, { force: true });
      } catch (error) {
        problem = `cannot delete its earlier JUnit file (${pattern} in ${cwd}): ${errorMessage(error)}`;
      }
    }
    if (problem !== undefined) {
      const result = notRun(suite, `not run: ${problem}`, startedAt);
      o.progress(`[runner] FAIL: ${suite.name} — ${result.message}`);
      run.results.push(result);
      continue;
    }

    const outputFile = suiteOutputFile(o.outputDir, suite.name);
    const execution = await execute({
      command: "bash",
      args: ["-c", suite.command],
      cwd,
      env: { ...o.env, HARNESS_SUITE: suite.name },
      outputFile,
      timeoutMs: suite.timeoutSeconds * 1000,
      killGraceMs: o.killGraceMs,
      maxOutputBytes: o.maxOutputBytes,
      tailBytes: o.tailBytes,
      signal: o.signal,
    });
    const junit = pattern === undefined ? null : readJunit(pattern, cwd);
    const verdict = suiteVerdict({ ...execution, timeoutSeconds: suite.timeoutSeconds }, junit);
    const result: ReplayResult = {
      name: suite.name,
      kind: "suite",
      status: verdict.status,
      durationMs: execution.durationMs,
      closes: null,
      message: verdict.message,
      startedAt: startedAt.toISOString(),
      ...(junit?.cases ? { cases: capCases(junit.cases, MAX_CASES) } : {}),
    };
    run.results.push(result);
    run.outputFiles.push({ name: suite.name, file: outputFile });
    run.tails.set(suite.name, execution.digest.tail);
    printResult(o.progress, { result, execution, outputFile }, o.tailBytes);
  }
  return run;
}
