/**
 * The per-phase timeline of one run (pure): when each container was created, started and turned
 * healthy (Docker's events), the seed and replays steps (the engine's events), each replay, and
 * marks (the operation returned, the edge answered …). Every time is milliseconds since the run's
 * origin: the call of `up` (path pulumi) or of `docker-compose up` (the baseline).
 */
import type { ContainerEvent } from "./docker-events";
import { REPLAYS_COMMAND, resourceName, stepSpan, type TimedEvent } from "./phases";

export interface ContainerSpan {
  name: string;
  createdMs?: number;
  startedMs?: number;
  healthyMs?: number;
  /** Docker marked it unhealthy (its retries used up). */
  unhealthyMs?: number;
  /** It exited. */
  diedMs?: number;
}

export interface Span {
  name: string;
  startMs?: number;
  endMs?: number;
}

export interface ReplaySpan extends Span {
  status?: string;
  durationMs?: number;
}

export interface Mark {
  name: string;
  atMs: number;
}

export interface Timeline {
  path: "pulumi" | "compose";
  /** Measured run number (1-based); 0 for the warm-up. */
  run: number;
  /** The origin, as an ISO date. */
  startedAt: string;
  /** What time 0 is. */
  origin: string;
  containers: ContainerSpan[];
  /** Engine steps: the seed and replays Commands. */
  steps: Span[];
  replays: ReplaySpan[];
  /** Where the replays' start and end come from (null: no replays). */
  replayTimesFrom: string | null;
  marks: Mark[];
}

const ms = (at: number, t0: number) => Math.round(at - t0);

/** One row per container, from its events (already picked for the run), named by `nameOf`. */
export function containerSpans(
  events: ContainerEvent[],
  t0: number,
  nameOf: (e: ContainerEvent) => string,
): ContainerSpan[] {
  const byName = new Map<string, ContainerSpan>();
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    const name = nameOf(e);
    const span = byName.get(name) ?? { name };
    byName.set(name, span);
    const at = ms(e.at, t0);
    if (e.action === "create") span.createdMs ??= at;
    else if (e.action === "start") span.startedMs ??= at;
    else if (e.action === "health_status: healthy") span.healthyMs ??= at;
    else if (e.action === "health_status: unhealthy") span.unhealthyMs ??= at;
    else if (e.action === "die") span.diedMs ??= at;
  }
  const key = (s: ContainerSpan) => s.startedMs ?? s.createdMs ?? Number.MAX_SAFE_INTEGER;
  return [...byName.values()].sort((a, b) => key(a) - key(b) || a.name.localeCompare(b.name));
}

/** What the runner reports per replay (program/contracts/summary.ts), with a start time if it gives one. */
export interface ResultLike {
  name: string;
  status: string;
  durationMs: number;
  /** Not in the contract today: epoch ms or an ISO date, used when present. */
  startedAt?: number | string;
}

const HEADER = /^\[runner\] ━━━ (.+?) ━━━\s*$/;
const RESULT = /^\[runner\] (PASS|FAIL|SKIP|XFAIL|XPASS): (\S+)/;

export const REPLAY_TIMES = {
  startedAt: "results[].startedAt (the runner's own clock) plus durationMs",
  progress:
    "the runner's progress lines as they reached the engine (the `━━━ name ━━━` header: start; the `STATUS: name` line: end; start = end - durationMs when the header is missing)",
  cumulative:
    "derived: the replays Command's start plus the cumulative durationMs of the results before it (assumes the replays ran one after another; the runner gives no start time)",
} as const;

function epochOf(value: number | string | undefined): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * Each replay's start and end: from the results' `startedAt` when every result has one; else from the
 * runner's progress lines in the replays Command's output (diagnostic events, stamped on arrival);
 * else derived from the Command's start and the cumulative durations. Says which it used.
 */
export function replaySpans(
  events: TimedEvent[],
  results: ResultLike[] | undefined,
  t0: number,
): { replays: ReplaySpan[]; from: string | null } {
  if (!results || results.length === 0) return { replays: [], from: null };
  const base = (r: ResultLike): ReplaySpan => ({ name: r.name, status: r.status, durationMs: r.durationMs });

  if (results.every((r) => epochOf(r.startedAt) !== undefined)) {
    return {
      replays: results.map((r) => {
        const start = ms(epochOf(r.startedAt)!, t0);
        return { ...base(r), startMs: start, endMs: start + Math.round(r.durationMs) };
      }),
      from: REPLAY_TIMES.startedAt,
    };
  }

  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  for (const { atMs, event } of events) {
    const d = event.diagnosticEvent;
    if (!d?.urn || resourceName(d.urn) !== REPLAYS_COMMAND) continue;
    for (const line of d.message.split("\n")) {
      const header = HEADER.exec(line);
      if (header && !starts.has(header[1])) starts.set(header[1], Math.round(atMs));
      const result = RESULT.exec(line);
      if (result && !ends.has(result[2])) ends.set(result[2], Math.round(atMs));
    }
  }
  if (results.every((r) => ends.has(r.name) || starts.has(r.name))) {
    return {
      replays: results.map((r) => {
        const end = ends.get(r.name);
        const start = starts.get(r.name) ?? (end === undefined ? undefined : end - Math.round(r.durationMs));
        return { ...base(r), startMs: start, endMs: end };
      }),
      from: REPLAY_TIMES.progress,
    };
  }

  const step = stepSpan(events, REPLAYS_COMMAND);
  let at = step.startMs === undefined ? undefined : Math.round(step.startMs);
  return {
    replays: results.map((r) => {
      if (at === undefined) return base(r);
      const span = { ...base(r), startMs: at, endMs: at + Math.round(r.durationMs) };
      at = span.endMs;
      return span;
    }),
    from: REPLAY_TIMES.cumulative,
  };
}

const num = (n: number | undefined) => (n === undefined ? "—" : n.toLocaleString("en-US"));

/** The timeline as lines for stderr (no prefix). */
export function formatTimeline(t: Timeline): string[] {
  const label = t.run === 0 ? "warm-up" : `run ${t.run}`;
  const lines = [`timeline, path ${t.path}, ${label} (ms since ${t.origin}, ${t.startedAt}):`];
  const width = Math.max(
    20,
    ...t.containers.map((c) => c.name.length + 10),
    ...t.replays.map((r) => r.name.length + 7),
    ...t.steps.map((s) => s.name.length),
    ...t.marks.map((m) => m.name.length),
  );
  const row = (name: string, rest: string) => `  ${name.padEnd(width)} ${rest}`;
  for (const c of t.containers) {
    const extra = [
      c.unhealthyMs !== undefined ? `  UNHEALTHY ${num(c.unhealthyMs)}` : "",
      c.diedMs !== undefined ? `  exited ${num(c.diedMs)}` : "",
    ].join("");
    lines.push(
      row(
        `container ${c.name}`,
        `created ${num(c.createdMs).padStart(7)}  started ${num(c.startedMs).padStart(7)}  healthy ${num(c.healthyMs).padStart(7)}${extra}`,
      ),
    );
  }
  const span = (s: Span) =>
    `${num(s.startMs).padStart(7)} → ${num(s.endMs).padStart(7)}` +
    (s.startMs !== undefined && s.endMs !== undefined ? `  (${num(s.endMs - s.startMs)})` : "");
  for (const s of t.steps) lines.push(row(s.name, span(s)));
  for (const r of t.replays) lines.push(row(`replay ${r.name}`, `${span(r)}  ${r.status ?? ""}`.trimEnd()));
  if (t.replayTimesFrom) lines.push(`  (replay times: ${t.replayTimesFrom})`);
  for (const m of [...t.marks].sort((a, b) => a.atMs - b.atMs))
    lines.push(row(m.name, num(m.atMs).padStart(7)));
  return lines;
}
