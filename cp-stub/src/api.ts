/**
 * Wire types of the cp-stub's admin API (`/__stub/*`), shared by the server and `cp-stub/client.ts`.
 * Field names and order here are the contract other parts of the harness code against.
 */

/** `GET /__stub/state`: how often each counted built-in handler ran (overridden requests do not count). */
export interface CpStubState {
  redeploy_fleet_calls: number;
  provision_calls: number;
  tenants_config_calls: number;
}

/** One request the stub received (everything except `/healthz` and `/__stub/*`), oldest first. */
export interface JournalEntry {
  /** Monotonic for the life of the process: survives ring-buffer eviction and `POST /__stub/reset`. */
  id: number;
  /** Arrival time, ISO-8601 UTC. */
  time: string;
  method: string;
  /** Percent-decoded path, as Go's `r.URL.Path`. */
  path: string;
  /** Decoded query; a key sent more than once maps to every value, in order. */
  query: Record<string, string | string[]>;
  /** Lower-case header names; repeated headers joined the way Node joins them. */
  headers: Record<string, string>;
  /** The body as UTF-8 text, cut at the journal's body cap; null when the request had no body. */
  body: string | null;
  /** Size of the whole body in bytes, also when `body` was cut. */
  bodyBytes: number;
  bodyTruncated: boolean;
  /** The override that answered, or null when a built-in route did. */
  overrideId: number | null;
  /** Status sent back; null while the answer is still pending (e.g. a delayed override). */
  status: number | null;
}

/** Query of `GET /__stub/requests`; every given criterion must hold. */
export interface JournalFilter {
  /** Exact method, e.g. "POST" (compared upper-cased). */
  method?: string;
  /** Exact decoded path. */
  path?: string;
  /** Decoded path starts with this. */
  pathPrefix?: string;
  /** Only entries with an id greater than this. */
  since?: number;
}

export type OverrideTimes = "once" | "sticky";

/** Body of `POST /__stub/routes`. */
export interface OverrideInput {
  /** Upper-case HTTP method, or "*" for any. */
  method: string;
  /** Exact, clean path starting with "/" (compared with the decoded request path). */
  path: string;
  /** 100–599. */
  status: number;
  /** Sent Go-style JSON-encoded with a trailing newline and `Content-Type: application/json`. */
  body?: unknown;
  /** Sent verbatim with `Content-Type: text/plain; charset=utf-8`; exclusive with `body`. */
  bodyText?: string;
  /** Extra response headers; they win over the defaults above. */
  headers?: Record<string, string>;
  /** Wait this long before answering (0–600000, default 0). */
  delayMs?: number;
  /** "once" (default): removed after its first match; "sticky": stays until deleted or reset. */
  times?: OverrideTimes;
}

/** A stored override, as `POST /__stub/routes` and `GET /__stub/routes` return it. */
export interface Override {
  id: number;
  method: string;
  path: string;
  status: number;
  /** Present only when the override was created with a body. */
  body?: unknown;
  /** Present only when the override was created with a bodyText. */
  bodyText?: string;
  headers: Record<string, string>;
  delayMs: number;
  times: OverrideTimes;
  /** How many requests it has answered. */
  hits: number;
}
