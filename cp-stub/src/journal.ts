/**
 * The request journal: what the tenant (or anyone) sent to the stub, so replays can assert on the
 * CP traffic. A ring buffer bounded in entries and in body bytes per entry; ids never repeat.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { JournalEntry, JournalFilter } from "./api";
import { HTTP_TOKEN } from "./http-token";

export interface JournalOptions {
  /** Entries kept; the oldest is dropped beyond this. */
  cap: number;
  /** Body bytes kept per entry; longer bodies are cut and flagged. */
  maxBodyBytes: number;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

export interface JournalInput {
  method: string;
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** At least the first `maxBodyBytes` bytes of the body (more is fine, it is cut here). */
  body: Buffer;
  /** Size of the whole body. */
  bodyBytes: number;
}

/** Query of the decoded query string; a repeated key keeps every value. */
export function queryRecord(rawQuery: string): Record<string, string | string[]> {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const values = grouped.get(key) ?? [];
    values.push(value);
    grouped.set(key, values);
  }
  // fromEntries defines own properties, so a key like "__proto__" stays data.
  return Object.fromEntries([...grouped].map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
  );
}

export class Journal {
  private readonly entries: JournalEntry[] = [];
  private nextId = 1;

  constructor(private readonly options: JournalOptions) {
    if (!Number.isInteger(options.cap) || options.cap < 1) throw new RangeError("journal cap must be ≥ 1");
    if (!Number.isInteger(options.maxBodyBytes) || options.maxBodyBytes < 0) {
      throw new RangeError("journal maxBodyBytes must be ≥ 0");
    }
  }

  /** Stores a request and returns the live entry (the caller fills in `status`/`overrideId`). */
  record(input: JournalInput): JournalEntry {
    const kept = input.body.subarray(0, Math.min(input.bodyBytes, this.options.maxBodyBytes));
    const entry: JournalEntry = {
      id: this.nextId++,
      time: (this.options.now?.() ?? new Date()).toISOString(),
      method: input.method,
      path: input.path,
      query: queryRecord(input.rawQuery),
      headers: headerRecord(input.headers),
      body: input.bodyBytes === 0 ? null : kept.toString("utf8"),
      bodyBytes: input.bodyBytes,
      bodyTruncated: input.bodyBytes > kept.length,
      overrideId: null,
      status: null,
    };
    this.entries.push(entry);
    if (this.entries.length > this.options.cap) this.entries.shift();
    return entry;
  }

  /** Matching entries, oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    return this.entries.filter((entry) => matchesFilter(entry, filter));
  }

  /** Drops every entry; ids keep counting so a client's `since` cursor stays valid. */
  clear(): void {
    this.entries.length = 0;
  }
}

export function matchesFilter(entry: JournalEntry, filter: JournalFilter): boolean {
  if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) return false;
  if (filter.path !== undefined && entry.path !== filter.path) return false;
  if (filter.pathPrefix !== undefined && !entry.path.startsWith(filter.pathPrefix)) return false;
  if (filter.since !== undefined && entry.id <= filter.since) return false;
  return true;
}

const FILTER_KEYS = ["method", "path", "pathPrefix", "since"] as const;

/** Reads `?method=&path=&pathPrefix=&since=`; anything else is an error worth a 400. */
export function parseJournalFilter(
  params: URLSearchParams,
): { ok: true; filter: JournalFilter } | { ok: false; error: string } {
  const filter: JournalFilter = {};
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      return {
        ok: false,
        error: `unknown query parameter ${JSON.stringify(key)}; allowed: ${FILTER_KEYS.join(", ")}`,
      };
    }
    if (seen.has(key))
      return { ok: false, error: `query parameter ${JSON.stringify(key)} given more than once` };
    seen.add(key);
    switch (key as (typeof FILTER_KEYS)[number]) {
      case "method":
        if (!HTTP_TOKEN.test(value)) {
          return {
            ok: false,
            error: `method must be an HTTP method such as POST; got ${JSON.stringify(value)}`,
          };
        }
        filter.method = value.toUpperCase();
        break;
      case "path":
      case "pathPrefix":
        if (!value.startsWith("/")) {
          return { ok: false, error: `${key} must start with "/"; got ${JSON.stringify(value)}` };
        }
        filter[key as "path" | "pathPrefix"] = value;
        break;
      case "since": {
        const since = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
        if (Number.isNaN(since)) {
          return {
            ok: false,
            error: `since must be a journal id (a non-negative integer, e.g. the last id you saw); got ${JSON.stringify(value)}`,
          };
        }
        filter.since = since;
        break;
      }
    }
  }
  return { ok: true, filter };
}
