/**
 * What report.html shows, as data (pure): the summary, the stack's identities, and for each failure
 * (FAIL/XPASS) the tail of its output, the container log lines and the cp-stub journal entries of its
 * time window — cut from what the failure artifacts already collected (runner/artifacts.ts), not read
 * again. Everything is redacted here, once (redact.ts), so neither the page nor `report-data.json`
 * (the same data, kept so `npm run harness` can render the page again with the phase timings) holds
 * a secret.
 */
import type { ReplayResult, ReplaySummary } from "../../program/contracts/summary";
import type { HarnessTarget } from "../../program/contracts/target";
import { redactDeep, redactor, secretsOf } from "./redact";

/** Milliseconds; a phase that is not known is absent (the keys of tools/bench/phases.ts `Phases`). */
export interface ReportPhases {
  /** `up` called → the seed starts (every container built, started and healthy). */
  bootToHealthyMs?: number;
  seedMs?: number;
  /** The replays Command: the replays, then the suites. */
  replaysMs?: number;
  upMs?: number;
  destroyMs?: number;
}

/** One source's lines in a failure's window (`HH:MM:SS.mmm text`), the last ones when there were many. */
export interface LogExcerpt {
  source: string;
  lines: string[];
  /** Lines of the window left out (the earliest). */
  omitted: number;
}

/** A cp-stub journal entry, ready to show. */
export interface JournalExcerpt {
  time: string;
  /** `POST /cp/workspaces/provision?x=1 → 201` */
  request: string;
  /** Headers and body, as JSON. */
  detail: string;
}

export interface FailureDetails {
  /** The window logs and journal entries come from (ISO 8601); absent when the result has no `startedAt`. */
  window?: { from: string; to: string };
  /** The end of the output (the runner's in-memory tail, cut to whole lines). */
  output: string;
  /** Lines of the tail left out (the full output is in output/<name>.log). */
  outputOmitted: number;
  logs: LogExcerpt[];
  journal: JournalExcerpt[];
  journalOmitted: number;
}

export interface HtmlReportData {
  stack: string;
  /** When the runner wrote it (ISO 8601). */
  generatedAt: string;
  summary: ReplaySummary;
  /** Image ids/refs under test, by role (tenant, cp-stub, cf-proxy), when the target says. */
  images?: Record<string, string>;
  expectedGitSha?: string;
  /** By result name; FAIL and XPASS only. */
  failures: Record<string, FailureDetails>;
  /** What the failure artifacts could not collect. */
  notes: string[];
  /** Added by `npm run harness`, which knows them. */
  phases?: ReportPhases;
}

/** What collectArtifacts read (absent: nothing failed, nothing was collected). */
export interface Collected {
  /** docker logs with timestamps, by container. */
  containerLogs: ReadonlyMap<string, string>;
  /** GET /__stub/requests as it answered (an array, or `{requests: [...]}`); undefined if it did not. */
  journal: unknown;
  notes: readonly string[];
}

export const LIMITS = {
  /** Before the start and after the end of a failure: a tenant logs or calls the CP a little later. */
  slackMs: 1000,
  outputLines: 300,
  logLines: 200,
  journalEntries: 100,
  lineChars: 2000,
};

export function isFailure(result: Pick<ReplayResult, "status">): boolean {
  return result.status === "FAIL" || result.status === "XPASS";
}

export function windowOf(
  result: ReplayResult,
  slackMs = LIMITS.slackMs,
): { from: number; to: number } | undefined {
  const start = result.startedAt === undefined ? NaN : Date.parse(result.startedAt);
  if (Number.isNaN(start)) return undefined;
  return { from: start - slackMs, to: start + result.durationMs + slackMs };
}

const clip = (line: string) =>
  line.length > LIMITS.lineChars ? `${line.slice(0, LIMITS.lineChars)}… (${line.length} chars)` : line;

/** `12:03:04.567`, UTC as docker stamps. */
function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ?(.*)$/;

/** The lines of timestamped docker logs inside the window, the last `max`; unstamped lines are dropped. */
export function logWindow(
  text: string,
  window: { from: number; to: number },
  max = LIMITS.logLines,
): { lines: string[]; omitted: number } {
  const lines: string[] = [];
  for (const raw of text.split("\n")) {
    const match = STAMPED.exec(raw.replace(/\r$/, ""));
    if (!match) continue;
    const at = Date.parse(match[1]);
    if (at >= window.from && at <= window.to) lines.push(clip(`${clock(at)} ${match[2]}`));
  }
  return { lines: lines.slice(-max), omitted: Math.max(0, lines.length - max) };
}

function journalEntries(journal: unknown): Record<string, unknown>[] {
  const list = Array.isArray(journal)
    ? journal
    : journal !== null &&
        typeof journal === "object" &&
        Array.isArray((journal as { requests?: unknown }).requests)
      ? (journal as { requests: unknown[] }).requests
      : [];
  return list.filter((e): e is Record<string, unknown> => e !== null && typeof e === "object");
}

/** The journal's entries that arrived inside the window, oldest first, the last `max`. */
export function journalWindow(
  journal: unknown,
  window: { from: number; to: number },
  max = LIMITS.journalEntries,
): { entries: JournalExcerpt[]; omitted: number } {
  const inside = journalEntries(journal).filter((e) => {
    const at = typeof e.time === "string" ? Date.parse(e.time) : NaN;
    return at >= window.from && at <= window.to;
  });
  const entries = inside.slice(-max).map((e) => {
    const query =
      e.query && typeof e.query === "object" ? new URLSearchParams(flatQuery(e.query)).toString() : "";
    const status = typeof e.status === "number" ? ` → ${e.status}` : " → (no answer yet)";
    return {
      time: clock(Date.parse(String(e.time))),
      request: `${String(e.method)} ${String(e.path)}${query === "" ? "" : `?${query}`}${status}`,
      detail: JSON.stringify(
        { headers: e.headers, body: e.body, ...(e.bodyTruncated === true ? { bodyBytes: e.bodyBytes } : {}) },
        null,
        2,
      ),
    };
  });
  return { entries, omitted: inside.length - entries.length };
}

function flatQuery(query: object): [string, string][] {
  return Object.entries(query).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((one): [string, string] => [k, String(one)]),
  );
}

/** The end of an output tail as whole lines, the last `max`. */
export function outputTail(tail: string, max = LIMITS.outputLines): { output: string; omitted: number } {
  const lines = tail.replace(/\n$/, "").split("\n");
  const kept = lines.slice(-max).map(clip);
  return { output: kept.join("\n"), omitted: lines.length - kept.length };
}

export interface ReportInputs {
  summary: ReplaySummary;
  target: HarnessTarget;
  /** Output tail by result name (the runner's, as for JUnit). */
  outputs: ReadonlyMap<string, string>;
  collected?: Collected;
  generatedAt: string;
}

/** The report's data, every string redacted of the target's secrets. */
export function buildReportData(inputs: ReportInputs): HtmlReportData {
  const { summary, target, collected } = inputs;
  const failures: Record<string, FailureDetails> = {};
  for (const result of summary.results.filter(isFailure)) {
    const { output, omitted } = outputTail(inputs.outputs.get(result.name) ?? "");
    const details: FailureDetails = {
      output,
      outputOmitted: omitted,
      logs: [],
      journal: [],
      journalOmitted: 0,
    };
    const window = windowOf(result);
    if (window && collected) {
      details.window = { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
      for (const [source, text] of collected.containerLogs) {
        const excerpt = logWindow(text, window);
        if (excerpt.lines.length > 0) details.logs.push({ source, ...excerpt });
      }
      const journal = journalWindow(collected.journal, window);
      details.journal = journal.entries;
      details.journalOmitted = journal.omitted;
    }
    failures[result.name] = details;
  }
  const data: HtmlReportData = {
    stack: target.stack,
    generatedAt: inputs.generatedAt,
    summary,
    ...(target.images ? { images: target.images } : {}),
    ...(target.expectedGitSha ? { expectedGitSha: target.expectedGitSha } : {}),
    failures,
    notes: [...(collected?.notes ?? [])],
  };
  return redactDeep(data, redactor(secretsOf(target)));
}
