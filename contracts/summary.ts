/**
 * The runner's machine-readable result: printed as JSON on the runner's stdout (the replays Command's
 * stdout), parsed by the Pulumi program into the `replays` and `replaysPassed` outputs, and written to
 * the JSON report. Keep field names stable: CI reads them.
 */
import type { EgressReport } from "./egress";

export type ReplayStatus = "PASS" | "FAIL" | "SKIP" | "XFAIL" | "XPASS";

export interface ReplayResult {
  /** File name without extension, e.g. "tenant-isolation". */
  name: string;
  status: ReplayStatus;
  durationMs: number;
  /** The issue the replay closes, e.g. "#2397", or null when it names none. */
  closes: string | null;
  /** One line: why it failed/skipped/xfailed, or what it proved when it passed. */
  message: string;
  /** "replay" (also when absent: older results) or "suite", one of the stack's own suites (`harness:suites`). */
  kind?: "replay" | "suite";
  /** When it started (ISO 8601). With `durationMs`, the window the report takes logs and journal entries from. */
  startedAt?: string;
  /** A suite's test cases, from the JUnit file it wrote (absent: it wrote none, or is a replay). */
  cases?: SuiteCase[];
}

/** One test case of a suite, read from its JUnit file. */
export interface SuiteCase {
  name: string;
  /** The JUnit `classname` (file or class), when given. */
  classname?: string;
  status: "PASS" | "FAIL" | "SKIP";
  durationMs: number;
  /** The failure or skip message; empty on PASS. */
  message: string;
}

export interface ReplaySummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  xfailed: number;
  /** An xfail-marked replay that passed: the marker is stale. Counts against the gate. */
  xpassed: number;
  durationMs: number;
  results: ReplayResult[];
  /**
   * Where the runner wrote its reports; artifacts only when something failed. `html` (report.html)
   * is absent in summaries of runners older than it (a kept stack's outputs).
   */
  reports: { json: string; junit: string; html?: string; artifacts: string | null };
  /**
   * Outbound attempts the egress sinkhole caught (issue 14), attributed to the replay windows, with
   * the policy (`harness:egress`); absent where no sinkhole runs (the loopback tier).
   */
  egress?: EgressReport;
}

/** The gate CI applies: nothing failed and no xfail marker went stale. */
export function summaryPassed(summary: Pick<ReplaySummary, "failed" | "xpassed">): boolean {
  return summary.failed === 0 && summary.xpassed === 0;
}

/**
 * The last line of every run. As in the anchor's runner, an expected failure (XFAIL) counts as skipped;
 * a stale xfail marker (XPASS) counts as failed.
 */
export function summaryLine(
  summary: Pick<ReplaySummary, "passed" | "failed" | "skipped" | "xfailed" | "xpassed">,
): string {
  const failed = summary.failed + summary.xpassed;
  const skipped = summary.skipped + summary.xfailed;
  return `${summary.passed} passed, ${failed} failed, ${skipped} skipped`;
}

export type SummaryCounts = Pick<
  ReplaySummary,
  "total" | "passed" | "failed" | "skipped" | "xfailed" | "xpassed"
>;

/** The counts alone (for run records that carry the results separately). */
export function summaryCounts(s: SummaryCounts): SummaryCounts {
  return {
    total: s.total,
    passed: s.passed,
    failed: s.failed,
    skipped: s.skipped,
    xfailed: s.xfailed,
    xpassed: s.xpassed,
  };
}
