/**
 * The TypeScript replay API. A replay is a file in `replays/` whose default export is
 * `defineReplay({...})`; its file name is its name. See runner/README.md for a full example.
 *
 *   import { defineReplay } from "./api";
 *   export default defineReplay({
 *     closes: "#2397",
 *     proves: "the peers endpoint answers 404 for an unregistered workspace",
 *     async run(ctx) {
 *       const res = await ctx.legacy.admin.get(`/registry/${randomUUID()}/peers`);
 *       ctx.assert.expectStatus(res, 404, "peers of an unknown workspace");
 *     },
 *   });
 */
import type { Pool, QueryResultRow } from "pg";
import type WebSocket from "ws";
import type { HarnessTarget } from "../program/contracts/target";
import type { SeedResult, SeedRole } from "../program/contracts/seed";
import type { Assertions } from "./assertions";
import type { CpStubApi } from "./cp-stub";
import type { EdgeRequest, HeaderValues, HttpRequest, HttpResponse, WebSocketRequest } from "./http";

export * from "./assertions";
export type { EdgeRequest, HeaderValues, HttpRequest, HttpResponse, WebSocketRequest } from "./http";
export type { CpStubApi } from "./cp-stub";
export type {
  CpStubState,
  JournalEntry,
  JournalFilter,
  Override,
  OverrideInput,
  OverrideTimes,
} from "../cp-stub/client";

/** What a replay declares about itself (read before it runs: scheduling and xfail depend on it). */
export interface ReplayMeta {
  /** The issue this replay closes, e.g. "#2397"; null when it closes none. */
  closes: string | null;
  /** One sentence: what a PASS proves. Shown as the PASS message. */
  proves: string;
  /** Declared expected failure, with the reason (usually an issue): failing → XFAIL, passing → XPASS. */
  xfail?: string;
  /** Safe to run in parallel with other independent replays (no shared state it mutates). */
  independent?: boolean;
  /** Overrides the runner's per-replay timeout. */
  timeoutSeconds?: number;
}

export interface ReplayDefinition extends ReplayMeta {
  run(ctx: ReplayContext): Promise<void> | void;
}

/** Options of the shortcut methods (`get`, `post`, …). */
export type RequestOptions = Omit<HttpRequest, "path" | "method">;

/** An HTTP client bound to one Host header and a set of default headers. */
export interface TenantClient {
  readonly host: string;
  /** The headers it sends by default (lower-cased names). */
  readonly headers: Readonly<Record<string, string>>;
  request(req: HttpRequest): Promise<HttpResponse>;
  get(path: string, options?: RequestOptions): Promise<HttpResponse>;
  delete(path: string, options?: RequestOptions): Promise<HttpResponse>;
  post(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse>;
  put(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse>;
  patch(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse>;
  /** A client with more headers (null removes one), e.g. `.with({"x-molecule-org-id": "wrong"})`. */
  with(headers: HeaderValues): TenantClient;
  /** A WebSocket through the edge with this client's Host and headers. Closed after the run. */
  websocket(path: string, options?: { headers?: HeaderValues; timeoutMs?: number }): Promise<WebSocket>;
}

export interface Credentials {
  /** Bearer token; null/undefined sends no Authorization header. */
  token?: string | null;
  /** X-Molecule-Org-Id; null/undefined sends none. */
  orgId?: string | null;
  headers?: HeaderValues;
}

export interface Tenant {
  readonly name: string;
  /** The Host header the edge routes to this tenant. */
  readonly host: string;
  readonly orgId: string;
  readonly adminToken: string;
  /** Loopback URL of this tenant's own postgres. */
  readonly databaseUrl: string;
  readonly container?: string;
  /** Server ids of `<name>-parent` and `<name>-child` (throws if the seed has none for this tenant). */
  readonly seed: Readonly<Record<SeedRole, string>>;
  /** Host header only (e.g. /health, /buildinfo). */
  readonly anon: TenantClient;
  /** Host + `Authorization: Bearer <adminToken>` + `X-Molecule-Org-Id: <orgId>` + JSON content type. */
  readonly admin: TenantClient;
  /**
   * Deliberately wrong: THIS tenant's Host with the OTHER tenant's bearer and org id.
   * `ctx.tenant("beta").credsOf("alpha")` is the anchor's `curl_alpha_creds_at_beta`.
   */
  credsOf(other: Tenant | string): TenantClient;
  /** This tenant's Host with any credentials (e.g. the right token and a wrong or missing org id). */
  client(credentials: Credentials): TenantClient;
  /** A pg Pool on `databaseUrl`, created on first use and closed after the run. */
  readonly db: Pool;
  /** Runs one query on `db` and returns its rows. */
  sql<R extends QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface Edge {
  /** Base URL of the edge, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  request(req: EdgeRequest): Promise<HttpResponse>;
  websocket(req: WebSocketRequest): Promise<WebSocket>;
}

export interface EventuallyOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 200 ms. */
  intervalMs?: number;
}

export interface ReplayContext {
  /** The replay's name (its file name without extension). */
  readonly name: string;
  readonly target: HarnessTarget;
  readonly seed: SeedResult;
  /** True when CI or GITHUB_ACTIONS is set (some checks are hard failures only in CI). */
  readonly ci: boolean;
  /** The replay process's environment. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /** Logs to stderr, each line prefixed with `[replay]`. */
  log(...args: unknown[]): void;
  readonly edge: Edge;
  /** In config order. */
  readonly tenants: readonly Tenant[];
  /** The tenant of that config name; throws listing the names when there is none. */
  tenant(name: string): Tenant;
  /** tenants[0] reached through the legacy host (`harness-tenant.localhost`). */
  readonly legacy: Tenant;
  readonly cpStub: CpStubApi;
  /** Ends the replay as SKIP (anchor marker `[replay] __SKIP__:<closes>:<reason>`). */
  skip(reason: string): never;
  /** Ends the replay as XFAIL (anchor marker `[replay] __XFAIL__:<closes>:<reason>`). */
  xfail(reason: string): never;
  /** The assertion helpers (also importable from this module). */
  readonly assert: Assertions;
  sleep(ms: number): Promise<void>;
  /** Retries `probe` until it returns without throwing; rethrows its last error after the timeout. */
  eventually<T>(probe: () => Promise<T> | T, options?: EventuallyOptions): Promise<T>;
}

const BRAND = Symbol.for("harness.replay-definition");

function invalid(problem: string): never {
  throw new Error(`invalid replay definition: ${problem}`);
}

export function defineReplay(definition: ReplayDefinition): ReplayDefinition {
  const d = definition as Partial<ReplayDefinition> | null;
  if (typeof d !== "object" || d === null) invalid("defineReplay needs an object");
  if (d.closes !== null && (typeof d.closes !== "string" || d.closes.trim() === "")) {
    invalid('`closes` must be an issue like "#2397", or null');
  }
  if (typeof d.proves !== "string" || d.proves.trim() === "") {
    invalid("`proves` must say in one sentence what a PASS proves");
  }
  if (d.xfail !== undefined && (typeof d.xfail !== "string" || d.xfail.trim() === "")) {
    invalid("`xfail` must be a non-empty reason when present");
  }
  if (d.independent !== undefined && typeof d.independent !== "boolean") {
    invalid("`independent` must be a boolean");
  }
  if (
    d.timeoutSeconds !== undefined &&
    (typeof d.timeoutSeconds !== "number" || !Number.isFinite(d.timeoutSeconds) || d.timeoutSeconds <= 0)
  ) {
    invalid("`timeoutSeconds` must be a positive number");
  }
  if (typeof d.run !== "function") invalid("`run(ctx)` must be a function");
  return Object.freeze(Object.assign(Object.create(null) as object, definition, { [BRAND]: true }));
}

export function isReplayDefinition(value: unknown): value is ReplayDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** The declared part of a definition (what the runner reads before running it). */
export function metaOf(definition: ReplayDefinition): ReplayMeta {
  const meta: ReplayMeta = { closes: definition.closes, proves: definition.proves };
  if (definition.xfail !== undefined) meta.xfail = definition.xfail;
  if (definition.independent !== undefined) meta.independent = definition.independent;
  if (definition.timeoutSeconds !== undefined) meta.timeoutSeconds = definition.timeoutSeconds;
  return meta;
}
