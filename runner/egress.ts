/**
 * Egress attribution (issue 14): the sinkhole's journal (its container's logs, program/contracts/egress.ts)
 * is read once the replays and suites have run, and each attempt is matched to the replays whose
 * window (`startedAt` + `durationMs`) held it. Under `harness:egress.mode: fail` a replay that made
 * an attempt to a host not in `allow` is FAIL, with the destinations in its message; under `warn`
 * the message names them and the status stands. Attempts before the first replay (boot and seed) or
 * between replays are reported in the summary's `egress`, never pinned on a replay.
 */
import {
  hostAllowed,
  parseEgressJournal,
  type EgressAttempt,
  type EgressEntry,
  type EgressPolicy,
  type EgressReport,
} from "../program/contracts/egress";
import type { ReplayResult } from "../program/contracts/summary";
import type { HarnessTarget } from "../program/contracts/target";
import type { ContainerLogSource } from "./artifacts";
import { errorMessage } from "./errors";

/** A journal line is written a moment after the attempt it records: late by at most this much. */
export const WINDOW_SLACK_MS = 250;

/** `host:port (protocol)`, or `host (DNS lookup)` for a question alone (pure). */
export function describeDestination(a: Pick<EgressEntry, "host" | "port" | "protocol">): string {
  const host = a.host ?? "an unnamed address";
  return a.protocol === "dns" ? `${host} (DNS lookup)` : `${host}:${a.port} (${a.protocol})`;
}

/** One line per attempt for reports: `<time> <phase> <source> → <destination>[ allowed]` (pure). */
export function describeAttempt(a: EgressAttempt): string {
  const where =
    a.phase === "replay"
      ? `during ${a.replays.join(", ")}`
      : a.phase === "boot"
        ? "during boot/seed"
        : "between replays";
  return `${a.time} ${where}: ${a.source} → ${describeDestination(a)}${a.allowed ? " (allowed)" : ""}`;
}

/** The destinations of a replay's attempts, a DNS question folded into its connection (pure). */
export function destinations(attempts: readonly EgressAttempt[]): string[] {
  const connected = new Set(attempts.filter((a) => a.protocol !== "dns").map((a) => a.host));
  const out = new Set<string>();
  for (const a of attempts)
    if (a.protocol !== "dns" || !connected.has(a.host)) out.add(describeDestination(a));
  return [...out];
}

/** Places every attempt and judges the replays (pure). `runStartedAt`: when the runner started (ms). */
export function attributeEgress(
  results: readonly ReplayResult[],
  entries: readonly EgressEntry[],
  policy: EgressPolicy,
  runStartedAt: number,
): { results: ReplayResult[]; report: EgressReport } {
  const windows = results
    .filter((r) => r.startedAt !== undefined)
    .map((r) => {
      const start = Date.parse(r.startedAt!);
      return { name: r.name, start, end: start + r.durationMs + WINDOW_SLACK_MS };
    });
  const firstStart = Math.min(runStartedAt, ...windows.map((w) => w.start));
  const attempts: EgressAttempt[] = entries
    .filter((e) => !e.probe)
    .sort((a, b) => a.time.localeCompare(b.time))
    .map((e) => {
      const t = Date.parse(e.time);
      const replays = windows.filter((w) => t >= w.start && t <= w.end).map((w) => w.name);
      const phase = replays.length > 0 ? "replay" : t < firstStart ? "boot" : "between";
      return { ...e, phase, replays, allowed: hostAllowed(e.host, policy.allow) };
    });
  const judged = results.map((r): ReplayResult => {
    const mine = attempts.filter((a) => a.replays.includes(r.name) && !a.allowed);
    if (mine.length === 0) return r;
    const sources = [...new Set(mine.map((a) => a.source))].join(", ");
    const note = `egress from ${sources} to ${destinations(mine).join(", ")}: no call may leave the harness; point that URL at the cp-stub, or allow the host (harness:egress.allow)`;
    if (policy.mode === "fail" && (r.status === "PASS" || r.status === "XFAIL"))
      return { ...r, status: "FAIL", message: `${note} (the replay itself: ${r.message})` };
    return { ...r, message: `${r.message} [${note}]` };
  });
  return { results: judged, report: { ...policy, attempts } };
}

/**
 * Reads the journal through the engine's container logs and attributes it; undefined where the
 * target has no sinkhole (the loopback tier). A journal that cannot be read is reported, not fatal.
 */
export async function judgeEgress(
  results: ReplayResult[],
  target: Pick<HarnessTarget, "egress">,
  logSource: ContainerLogSource | null,
  runStartedAt: number,
): Promise<{ results: ReplayResult[]; report?: EgressReport }> {
  const egress = target.egress;
  if (!egress) return { results };
  const policy: EgressPolicy = { mode: egress.mode, allow: egress.allow };
  try {
    if (!logSource) throw new Error("no container log source");
    const entries = parseEgressJournal((await logSource.logs(egress.container)).toString());
    return attributeEgress(results, entries, policy, runStartedAt);
  } catch (error) {
    const message = `the egress journal (${egress.container}'s logs) could not be read: ${errorMessage(error)}`;
    return { results, report: { ...policy, attempts: [], error: message } };
  }
}

/** What the progress log, the step summary and the JUnit properties say beyond the replays' own messages (pure). */
export function egressNotes(report: EgressReport | undefined): string[] {
  if (!report) return [];
  return [
    ...(report.error ? [`egress: ${report.error}`] : []),
    ...report.attempts.filter((a) => a.phase !== "replay").map((a) => `egress ${describeAttempt(a)}`),
  ];
}
