/**
 * What `npm run harness` leaves for people and CI: the printed summary (its last line is the runner's
 * `N passed, N failed, N skipped`), a run record (`harness.json`) with the phase timings, which it
 * also adds to the runner's report.html (`upPhasesOf`, from the engine's events), and — when the
 * harness itself failed before the replays could report — a JUnit file with one failing test saying
 * why, so a CI that reads JUnit never shows a silent green or an empty report.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "xmlbuilder2";
import { upPhases } from "../../tools/bench/phases";
import { summaryLine, type ReplaySummary } from "../../program/contracts/summary";
import { reportsDir } from "../../program/lib/target";
import type { ReportPhases } from "../../runner/reports/report-data";
import type { StampedEvent } from "../pulumi/stack-op";
import { xmlSafe, xmlSafeAttribute } from "../../runner/reports/xml-text";

export type HarnessResult = "passed" | "replays-failed" | "harness-failed" | "interrupted";

export interface RunRecord {
  stack: string;
  result: HarnessResult;
  exitCode: number;
  startedAt: string;
  durationsMs: { up?: number; destroy?: number; total: number };
  /** The up's phases (boot, seed, replays: measured in this up only) and the destroy; also in report.html. */
  phases?: ReportPhases;
  summaryLine?: string;
  replays?: Pick<ReplaySummary, "total" | "passed" | "failed" | "skipped" | "xfailed" | "xpassed">;
  reports: { json?: string; junit?: string; html?: string; artifacts?: string | null; run: string };
  error?: string;
  keptUp: boolean;
  /** `--engines`: the pool's engine the stack ran on (no TLS material). */
  engine?: { name: string; host?: string };
}

export function harnessReportsDir(root: string, stack: string): string {
  return reportsDir(root, stack);
}

/**
 * The phases of an up from its engine events (as the bench measures them: tools/bench/phases.ts); seed and
 * replays only when their Commands ran in this up. `upStartedAt`: wall clock when the up was called.
 */
export function upPhasesOf(
  events: readonly StampedEvent[],
  upStartedAt: number,
  upMs: number | undefined,
): ReportPhases {
  const phases = upPhases(
    events.map(({ at, event }) => ({ atMs: at - upStartedAt, event })),
    upMs,
  );
  return Object.fromEntries(Object.entries(phases).filter(([, ms]) => ms !== undefined));
}

/** The per-replay lines and the last line, as printed at the end of a run. */
export function renderSummary(summary: ReplaySummary): string[] {
  const lines = summary.results.map((r) => {
    const closes = r.closes ? ` (${r.closes})` : "";
    return `  ${r.status.padEnd(5)} ${r.name}${closes} ${(r.durationMs / 1000).toFixed(1)}s${r.status === "PASS" ? "" : ` — ${r.message}`}`;
  });
  return [...lines, summaryLine(summary)];
}

/** JUnit for a run whose replays never reported: one failing test case naming the step that failed. */
export function renderHarnessFailureJunit(
  stack: string,
  step: string,
  message: string,
  output: string[],
): string {
  const suite = `harness (${stack})`;
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: xmlSafeAttribute(suite),
    tests: "1",
    failures: "1",
    errors: "0",
    skipped: "0",
  });
  const testsuite = root.ele("testsuite", {
    name: xmlSafeAttribute(suite),
    tests: "1",
    failures: "1",
    errors: "0",
    skipped: "0",
  });
  const testcase = testsuite.ele("testcase", { classname: "harness", name: xmlSafeAttribute(step) });
  testcase
    .ele("failure", {
      message: xmlSafeAttribute(message.split("\n")[0].slice(0, 500)),
      type: "HarnessFailure",
    })
    .txt(xmlSafe(message));
  testcase.ele("system-out").txt(xmlSafe(output.join("\n")));
  return root.end({ prettyPrint: true });
}

export function writeHarnessFailureJunit(
  dir: string,
  stack: string,
  step: string,
  message: string,
  output: string[],
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "junit.xml");
  writeFileSync(path, renderHarnessFailureJunit(stack, step, message, output));
  return path;
}

export function writeRunRecord(
  dir: string,
  record: Omit<RunRecord, "reports"> & { reports: Omit<RunRecord["reports"], "run"> },
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "harness.json");
  writeFileSync(
    path,
    `${JSON.stringify({ ...record, reports: { ...record.reports, run: path } }, null, 2)}\n`,
  );
  return path;
}

/** GitHub step summary for a run that failed before the runner could write one. */
export function appendHarnessFailureSummary(file: string, stack: string, message: string): void {
  appendFileSync(
    file,
    `### Harness \`${stack}\`: the harness itself failed\n\n\`\`\`\n${message.slice(0, 4000)}\n\`\`\`\n`,
  );
}
