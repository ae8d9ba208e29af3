/**
 * The egress journal (issue 14): one entry per outbound attempt a container of the stack made, as the
 * sinkhole (sinkhole/) writes it on its stdout, one `{"egress": entry}` JSON line each, and as the
 * runner reads it back through the engine's container logs (runner/egress.ts).
 */

export type EgressProtocol = "dns" | "http" | "tls" | "tcp" | "udp";

export interface EgressEntry {
  /** When the sinkhole saw it (ISO 8601, the engine's clock). */
  time: string;
  /** The source container's name, or its address when the network does not name it. */
  source: string;
  sourceIp: string;
  /** The name asked for: the DNS question, the HTTP Host, the TLS SNI, else the source's last DNS name; null when none. */
  host: string | null;
  /** The destination port the caller dialled (53 for a DNS question). */
  port: number;
  protocol: EgressProtocol;
  /** A name under PROBE_DOMAIN: the harness's own probe (the no-egress replay), never attributed. */
  probe?: boolean;
}

/** Names the harness itself asks for to prove the path (`<anything>.harness.invalid`). */
export const PROBE_DOMAIN = "harness.invalid";

/** `harness:egress`: what an attempt does to the replay it happened in. */
export interface EgressPolicy {
  /** fail: the replay is FAIL; warn: reported only. */
  mode: "fail" | "warn";
  /** Host patterns (`*` matches any run of characters, case-insensitive) journaled but not failures. */
  allow: string[];
}

export const DEFAULT_EGRESS: EgressPolicy = { mode: "fail", allow: [] };

/** One attempt as the summary reports it: the entry, where it fell and whether it was allowed. */
export interface EgressAttempt extends EgressEntry {
  /** boot: before the first replay started (boot and seed); replay: inside a replay's window; between: neither. */
  phase: "boot" | "replay" | "between";
  /** The replays whose window held it (several when independent replays overlapped). */
  replays: string[];
  allowed: boolean;
}

/** The run summary's `egress` field and the stack output `egress`. */
export interface EgressReport extends EgressPolicy {
  /** Every attempt not made by the harness's own probe, in time order. */
  attempts: EgressAttempt[];
  /** Set when the journal could not be read: the report is incomplete. */
  error?: string;
}

/** Whether a host matches a pattern of `allow` (pure). */
export function hostAllowed(host: string | null, allow: readonly string[]): boolean {
  if (host === null) return false;
  const name = host.toLowerCase().replace(/\.$/, "");
  return allow.some((pattern) => {
    const re = pattern
      .toLowerCase()
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    return new RegExp(`^${re}$`).test(name);
  });
}

/** The journal lines of a log text (other lines ignored; pure). */
export function parseEgressJournal(text: string): EgressEntry[] {
  const entries: EgressEntry[] = [];
  for (const line of text.split("\n")) {
    const start = line.indexOf('{"egress":');
    if (start < 0) continue;
    try {
      const entry = (JSON.parse(line.slice(start)) as { egress?: EgressEntry }).egress;
      if (entry && typeof entry.time === "string" && typeof entry.port === "number") entries.push(entry);
    } catch {
      // A truncated line (the log's tail cut it): not an entry.
    }
  }
  return entries;
}
