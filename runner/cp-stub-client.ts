/**
 * The cp-stub admin API, as replays and the artifact collector use it:
 * `GET /__stub/state`, `POST /__stub/reset`, `GET /__stub/requests` (the journal),
 * `POST|GET /__stub/routes`, `DELETE /__stub/routes/<id>`.
 * (Written against the interface agreed with the cp-stub branch; see runner/README.md.)
 */
import { request } from "undici";
import { excerpt } from "./assertions";
import { errorMessage } from "./errors";

export interface StubRequest {
  id: number | string;
  time: string;
  method: string;
  path: string;
  query: unknown;
  headers: Record<string, string | string[]>;
  body: unknown;
}

export interface StubRequestFilter {
  method?: string;
  path?: string;
  pathPrefix?: string;
  /** ISO timestamp or journal id: only requests after it. */
  since?: string | number;
}

export interface StubRoute {
  method: string;
  path: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  times: "once" | "sticky";
}

export interface CpStubApi {
  state(): Promise<Record<string, unknown>>;
  reset(): Promise<void>;
  requests(filter?: StubRequestFilter): Promise<StubRequest[]>;
  addRoute(route: StubRoute): Promise<{ id: string } & Record<string, unknown>>;
  listRoutes(): Promise<unknown[]>;
  removeRoute(id: string): Promise<void>;
}

export class CpStubClient implements CpStubApi {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  state(): Promise<Record<string, unknown>> {
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

  addRoute(route: StubRoute): Promise<{ id: string } & Record<string, unknown>> {
    return this.call("POST", "/__stub/routes", route);
  }

  async listRoutes(): Promise<unknown[]> {
    const body = await this.call<{ routes?: unknown[] } | unknown[]>("GET", "/__stub/routes");
    return Array.isArray(body) ? body : (body.routes ?? []);
  }

  async removeRoute(id: string): Promise<void> {
    await this.call("DELETE", `/__stub/routes/${encodeURIComponent(id)}`);
  }

  private async call<T>(method: "GET" | "POST" | "DELETE", path: string, json?: unknown): Promise<T> {
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
