/**
 * The runner's machine-readable result: printed as JSON on the runner's stdout (the replays Command's
 * stdout), parsed by the Pulumi program into the `replays` and `replaysPassed` outputs, and written to
 * the JSON report. Keep field names stable: CI reads them.
 */
import { z } from "zod";
import type { EgressReport } from "./egress";
import { checkContract } from "./problems";

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

const count = z.number().int().min(0);
const suiteCase = z.looseObject({
  name: z.string(),
  classname: z.string().optional(),
  status: z.enum(["PASS", "FAIL", "SKIP"]),
  durationMs: z.number().min(0),
  message: z.string(),
});
const replayResult = z.looseObject({
  name: z.string(),
  status: z.enum(["PASS", "FAIL", "SKIP", "XFAIL", "XPASS"]),
  durationMs: z.number().min(0),
  closes: z.string().nullable(),
  message: z.string(),
  kind: z.enum(["replay", "suite"]).optional(),
  startedAt: z.string().optional(),
  cases: z.array(suiteCase).optional(),
});

/** The contract as a schema (extra keys pass: a newer runner may add some). */
export const replaySummarySchema: z.ZodType<ReplaySummary> = z.looseObject({
  total: count,
  passed: count,
  failed: count,
  skipped: count,
  xfailed: count,
  xpassed: count,
  durationMs: z.number().min(0),
  results: z.array(replayResult),
  reports: z.looseObject({
    json: z.string(),
    junit: z.string(),
    html: z.string().optional(),
    artifacts: z.string().nullable(),
  }),
  egress: z
    .custom<EgressReport>(
      (v) => typeof v === "object" && v !== null && Array.isArray((v as EgressReport).attempts),
      {
        error: "must be {mode, allow, attempts[]}",
      },
    )
    .optional(),
});

/** Checks a run summary (JSON already decoded); `what` names where it came from. */
export function checkSummary(value: unknown, what: string): ReplaySummary {
  return checkContract(replaySummarySchema, value, what);
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
