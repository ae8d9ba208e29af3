/**
 * Phase timings from the engine's event stream (pure). The bench records every EngineEvent of an
 * operation with the moment it reached the bench (`atMs`, milliseconds since the operation was
 * called): the engine stamps its events in whole seconds (`EngineEvent.timestamp`), too coarse for a
 * seed of a few seconds, so the interval between two engine events is measured on their arrival. The
 * Automation API tails the engine's event log and polls it every 200 ms once caught up, so an
 * interval is good to about ±0.2 s.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** One engine event and when it reached the bench (ms since the operation was called). */
export interface TimedEvent {
  atMs: number;
  event: EngineEvent;
}

/** One timed engine operation of the bench (an `up` or a `destroy`). */
export interface TimedOp {
  ok: boolean;
  /** Wall clock (epoch ms) right before the operation was called, and when it returned. */
  startedAt?: number;
  endedAt?: number;
  /** up: the stack outputs, plain. */
  outputs?: Record<string, unknown>;
  /** The engine's error (the CLI's output included). */
  error?: string;
  /** The events, timed from `startedAt` (when the operation was called). */
  events: TimedEvent[];
  /** How long the operation took (undefined unless it succeeded). */
  durationMs?: number;
}

/** Milliseconds; a phase a run did not reach is absent. Same keys and meaning as the e2e path had. */
export interface Phases {
  /** `up` called → the seed Command starts, which is right after every container's health gate (builds included). */
  bootToHealthyMs?: number;
  /** The seed Command: its step starts → its outputs. */
  seedMs?: number;
  /** The replays Command (the suite): its step starts → its outputs. */
  replaysMs?: number;
  /** The whole `up`, as the caller waited for it (CLI start, program, every step). */
  upMs?: number;
  /** The whole `destroy`, as the caller waited for it. */
  destroyMs?: number;
  /** A second `up --expect-no-changes` right after the first, as the caller waited for it (succeeded only). */
  unchangedUpMs?: number;
}

/** The resources whose steps mark the phases (last URN segment). */
export const SEED_COMMAND = "seed-command";
export const REPLAYS_COMMAND = "replays-command";

/** Operations in which a Command runs its `create`/`update` (not `same`, a read, a delete …). */
const RUNS = new Set(["create", "update", "create-replacement"]);

export function resourceName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** When the step of resource `name` that runs it started, and when its outputs arrived. */
export function stepSpan(events: TimedEvent[], name: string): { startMs?: number; endMs?: number } {
  const start = events.find((e) => {
    const m = e.event.resourcePreEvent?.metadata;
    return m !== undefined && RUNS.has(m.op) && resourceName(m.urn) === name;
  });
  if (!start) return {};
  const end = events.find((e) => {
    const m = e.event.resOutputsEvent?.metadata;
    return e.atMs >= start.atMs && m !== undefined && RUNS.has(m.op) && resourceName(m.urn) === name;
  });
  return { startMs: start.atMs, endMs: end?.atMs };
}

const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms));

/** The `up` phases from its events; `upMs` undefined when the up did not finish. */
export function upPhases(events: TimedEvent[], upMs: number | undefined): Phases {
  const seed = stepSpan(events, SEED_COMMAND);
  const replays = stepSpan(events, REPLAYS_COMMAND);
  const span = (s: { startMs?: number; endMs?: number }) =>
    s.startMs !== undefined && s.endMs !== undefined ? s.endMs - s.startMs : undefined;
  return {
    bootToHealthyMs: round(seed.startMs),
    seedMs: round(span(seed)),
    replaysMs: round(span(replays)),
    upMs: round(upMs),
  };
}

/**
 * Steps of an operation that changed something, in order, with the inputs that differ when the engine
 * says: `update seed-command (triggers)`, `create redis-container` …
 */
export function changedSteps(events: TimedEvent[]): string[] {
  const unchanged = new Set(["same", "read", "refresh", "discard"]);
  const steps = events.flatMap(({ event }) => {
    const m = event.resourcePreEvent?.metadata;
    if (m === undefined || unchanged.has(m.op)) return [];
    const diffs = m.diffs && m.diffs.length > 0 ? ` (${m.diffs.join(", ")})` : "";
    return [`${m.op} ${resourceName(m.urn)}${diffs}`];
  });
  return [...new Set(steps)];
}

// Colour markup (`<{%reset%}>`) and ANSI escapes the engine leaves in diagnostic messages.
// eslint-disable-next-line no-control-regex
const MARKUP = /<\{%[^%]*%\}>|\u001b\[[0-9;]*m/g;

/** The engine's error diagnostics of an operation, one line each (what `pulumi up` prints under "error:"). */
export function errorDiagnostics(events: TimedEvent[]): string[] {
  const lines = events.flatMap(({ event }) => {
    const d = event.diagnosticEvent;
    if (d === undefined || d.severity !== "error") return [];
    const where = d.urn ? `${resourceName(d.urn)}: ` : "";
    const message = d.message.replace(MARKUP, "").replace(/\s+/g, " ").trim();
    return message === "" ? [] : [`${where}${message}`];
  });
  return [...new Set(lines)];
}
