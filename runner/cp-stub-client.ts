/**
 * The cp-stub admin API, as replays and the artifact collector use it:
 * `GET /__stub/state`, `POST /__stub/reset`, `GET /__stub/requests` (the journal),
 * `POST|GET /__stub/routes`, `DELETE /__stub/routes/<id>`.
 * (Written against the interface agreed with the cp-stub branch; see runner/README.md.)
 */
import { request } from "undici";
import { excerpt } from "./assertions";
import { errorMessage } from "./errors";

/** One journal entry (wire shape of the cp-stub's `GET /__stub/requests`). */
export interface StubRequest {
  /** Monotonic for the life of the stub; use as `since` to see only newer requests. */
  id: number;
  /** Arrival time, ISO-8601 UTC. */
  time: string;
  method: string;
  /** Percent-decoded path. */
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** UTF-8 body, cut at the stub's cap; null when there was none. */
  body: string | null;
  bodyBytes?: number;
  bodyTruncated?: boolean;
  /** The override that answered, or null for a built-in route. */
  overrideId?: number | null;
  status?: number | null;
}

/** Every given criterion must hold. */
export interface StubRequestFilter {
  method?: string;
  path?: string;
  pathPrefix?: string;
  /** Only entries with an id greater than this. */
  since?: number;
}

/** A programmed answer (`POST /__stub/routes`): make the CP fail, stall or say something else. */
export interface StubRoute {
  /** Upper-case method, or "*". */
  method: string;
  /** Exact decoded path, e.g. /cp/workspaces/provision. */
  path: string;
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as text/plain (exclusive with body). */
  bodyText?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** "once" (default) or "sticky" (until removed or reset). */
  times?: "once" | "sticky";
}

export interface StubOverride extends StubRoute {
  id: number;
  hits: number;
}

export interface CpStubApi {
  /** Counters: redeploy_fleet_calls, provision_calls, tenants_config_calls. */
  state(): Promise<Record<string, number>>;
  reset(): Promise<void>;
  requests(filter?: StubRequestFilter): Promise<StubRequest[]>;
  addRoute(route: StubRoute): Promise<StubOverride>;
  listRoutes(): Promise<StubOverride[]>;
  removeRoute(id: number): Promise<void>;
}

export class CpStubClient implements CpStubApi {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  state(): Promise<Record<string, number>> {
    return this.call("GET", "/__stub/state");
  }

  async reset(): Promise<void> {
    await this.call("POST", "/__stub/reset");
  }

  async requests(filter: StubRequestFilter = {}): Promise<StubRequest[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(filter))
      if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    const body = await this.call<{ requests: StubRequest[] }>("GET", `/__stub/requests${qs ? `?${qs}` : ""}`);
    return body.requests;
  }

  addRoute(route: StubRoute): Promise<StubOverride> {
    return this.call("POST", "/__stub/routes", route);
  }

  async listRoutes(): Promise<StubOverride[]> {
    const body = await this.call<{ routes: StubOverride[] }>("GET", "/__stub/routes");
    return body.routes;
  }

  async removeRoute(id: number): Promise<void> {
    await this.call("DELETE", `/__stub/routes/${encodeURIComponent(String(id))}`);
  }

  private async call<T>(method: "GET" | "POST" | "DELETE", path: string, json?: unknown): Promise<T> {
    if (this.baseUrl === "") {
      // The Pulumi program leaves cpStubUrl empty when the stub is not published on the host.
      throw new Error(
        `cp-stub ${method} ${path}: the cp-stub is not published on the host (target.cpStubUrl is empty)`,
      );
    }
    const what = `cp-stub ${method} ${path} (${this.baseUrl})`;
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.baseUrl}${path}`, {
        method,
        headers: json === undefined ? {} : { "content-type": "application/json" },
        body: json === undefined ? undefined : JSON.stringify(json),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (error) {
      throw new Error(`${what} failed: ${errorMessage(error)}`);
    }
    if (status < 200 || status >= 300) throw new Error(`${what}: HTTP ${status}; body: ${excerpt(text)}`);
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${what}: expected JSON, got ${excerpt(text)}`);
    }
  }
}
