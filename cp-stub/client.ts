/**
 * Typed client of the cp-stub admin API (`/__stub/*`), for the replay runner and replays.
 * Uses undici directly (no fetch) so callers get plain errors that name the request and the
 * stub's own `error` text on any non-2xx answer.
 */
import { request, type Dispatcher } from "undici";
import type { CpStubState, JournalEntry, JournalFilter, Override, OverrideInput } from "./src/api";

export type {
  CpStubState,
  JournalEntry,
  JournalFilter,
  Override,
  OverrideInput,
  OverrideTimes,
} from "./src/api";

/** A non-2xx answer, an unreadable body, or a transport failure. */
export class CpStubError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    /** HTTP status, or null when no answer arrived. */
    readonly status: number | null,
    /** Raw response body ("" when none). */
    readonly body: string,
  ) {
    super(message);
    this.name = "CpStubError";
  }
}

export interface CpStubClientOptions {
  /** Per-request timeout for headers and body. Default 10 s. */
  timeoutMs?: number;
}

export interface WaitOptions {
  /** How many matching entries to wait for. Default 1. */
  count?: number;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 100 ms. */
  intervalMs?: number;
}

export class CpStubClient {
  /** The stub's base URL without a trailing slash, e.g. http://127.0.0.1:49160. */
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: CpStubClientOptions = {}) {
    if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
      throw new TypeError(`CpStubClient: baseUrl must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The anchor's counters (`GET /__stub/state`). */
  state(): Promise<CpStubState> {
    return this.call<CpStubState>("GET", "/__stub/state");
  }

  /** Zeroes counters, empties the journal, removes every override. */
  async reset(): Promise<void> {
    await this.call("POST", "/__stub/reset");
  }

  /** Journal entries matching every given criterion, oldest first. */
  async requests(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const query = new URLSearchParams();
    if (filter.method !== undefined) query.set("method", filter.method);
    if (filter.path !== undefined) query.set("path", filter.path);
    if (filter.pathPrefix !== undefined) query.set("pathPrefix", filter.pathPrefix);
    if (filter.since !== undefined) query.set("since", String(filter.since));
    const qs = query.toString();
    const body = await this.call<{ requests: JournalEntry[] }>(
      "GET",
      `/__stub/requests${qs === "" ? "" : `?${qs}`}`,
    );
    return body.requests;
  }

  /** Registers an override; the stub validates it (a 400 becomes a CpStubError with the reason). */
  addRoute(override: OverrideInput): Promise<Override> {
    return this.call<Override>("POST", "/__stub/routes", override);
  }

  async listRoutes(): Promise<Override[]> {
    return (await this.call<{ routes: Override[] }>("GET", "/__stub/routes")).routes;
  }

  /** Removes an override; throws (status 404) if there is none with this id. */
  async removeRoute(id: number): Promise<void> {
    await this.call("DELETE", `/__stub/routes/${encodeURIComponent(String(id))}`);
  }

  /**
   * Polls the journal until at least `count` entries match (the tenant calls the CP
   * asynchronously), then returns all matching entries; throws with what it saw on timeout.
   */
  async waitForRequests(filter: JournalFilter, options: WaitOptions = {}): Promise<JournalEntry[]> {
    const { count = 1, timeoutMs = 10_000, intervalMs = 100 } = options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.requests(filter);
      if (found.length >= count) return found;
      if (Date.now() >= deadline) {
        throw new Error(
          `cp-stub: waited ${timeoutMs} ms for ${count} request(s) matching ${JSON.stringify(filter)}, saw ${found.length}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async call<T = unknown>(
    method: Dispatcher.HttpMethod,
    path: string,
    payload?: unknown,
  ): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const fail = (why: string, status: number | null, body: string): CpStubError =>
      new CpStubError(`cp-stub: ${method} ${url} ${why}`, method, url, status, body);
    let statusCode: number;
    let text: string;
    try {
      const res = await request(url, {
        method,
        headers: payload === undefined ? {} : { "content-type": "application/json" },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (error) {
      throw fail(`failed: ${error instanceof Error ? error.message : String(error)}`, null, "");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (statusCode < 200 || statusCode > 299) {
      const error = (parsed as { error?: unknown } | null | undefined)?.error;
      const reason = typeof error === "string" ? error : text.trim().slice(0, 500) || "(empty body)";
      throw fail(`answered ${statusCode}: ${reason}`, statusCode, text);
    }
    if (parsed === undefined) {
      throw fail(
        `answered ${statusCode} with a body that is not JSON: ${text.slice(0, 200)}`,
        statusCode,
        text,
      );
    }
    return parsed as T;
  }
}
