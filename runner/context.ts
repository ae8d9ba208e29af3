/**
 * Builds the `ctx` a TypeScript replay runs with, from the target and seed, and closes everything it
 * opened (HTTP agent, WebSockets, pg pools) afterwards. Created per replay process; no globals.
 */
import type { Pool, QueryResultRow } from "pg";
import { format } from "node:util";
import type { SeedResult, SeedRole } from "../program/contracts/seed";
import type { HarnessTarget, TenantTarget } from "../program/contracts/target";
import type { Credentials, Edge, ReplayContext, RequestOptions, Tenant, TenantClient } from "./api";
import { assertions } from "./assertions";
import { cpStubFor, type CpStubApi } from "./cp-stub";
import { HttpClient, mergeHeaders, type HeaderValues, type HttpRequest, type HttpResponse } from "./http";
import { ReplaySkip, ReplayXfail } from "./signals";

export interface ContextOptions {
  name: string;
  target: HarnessTarget;
  seed: SeedResult;
  env: NodeJS.ProcessEnv;
  /** Where ctx.log lines go (stderr in the replay host). */
  write: (text: string) => void;
  httpTimeoutMs?: number;
  /** Injected for tests; defaults to the HTTP client on target.cpStubUrl. */
  cpStub?: CpStubApi;
}

export interface ContextHandle {
  ctx: ReplayContext;
  /** Closes pools, sockets and the HTTP agent; never throws, bounded in time. */
  close(timeoutMs?: number): Promise<void>;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const set = (v: string | undefined) =>
    v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
  return set(env.CI) || set(env.GITHUB_ACTIONS);
}

class BoundClient implements TenantClient {
  constructor(
    private readonly http: HttpClient,
    readonly host: string,
    readonly headers: Readonly<Record<string, string>>,
  ) {}

  request(req: HttpRequest): Promise<HttpResponse> {
    return this.http.request({ ...req, host: this.host, headers: mergeHeaders(this.headers, req.headers) });
  }
  get(path: string, options: RequestOptions = {}) {
    return this.request({ ...options, method: "GET", path });
  }
  delete(path: string, options: RequestOptions = {}) {
    return this.request({ ...options, method: "DELETE", path });
  }
  post(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request({ ...options, method: "POST", path, json: json ?? options.json });
  }
  put(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request({ ...options, method: "PUT", path, json: json ?? options.json });
  }
  patch(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request({ ...options, method: "PATCH", path, json: json ?? options.json });
  }
  with(headers: HeaderValues): TenantClient {
    return new BoundClient(this.http, this.host, mergeHeaders(this.headers, headers));
  }
  websocket(path: string, options: { headers?: HeaderValues; timeoutMs?: number } = {}) {
    // A WebSocket handshake carries no JSON body: drop the content type admin clients send.
    const headers = mergeHeaders(this.headers, { "content-type": null }, options.headers);
    return this.http.websocket({ host: this.host, path, headers, timeoutMs: options.timeoutMs });
  }
}

function credentialHeaders(credentials: Credentials): Record<string, string> {
  const headers: HeaderValues = {};
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  if (credentials.orgId) headers["x-molecule-org-id"] = credentials.orgId;
  if (credentials.token || credentials.orgId) headers["content-type"] = "application/json";
  return mergeHeaders(headers, credentials.headers);
}

export function createContext(options: ContextOptions): ContextHandle {
  const { target, seed, env } = options;
  const http = new HttpClient({ baseUrl: target.edgeUrl, timeoutMs: options.httpTimeoutMs });
  const pools = new Map<string, Pool>();
  const poolFor = (url: string): Pool => {
    let pool = pools.get(url);
    if (!pool) {
      // pg loads on first use: most replays never open a database.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pg = require("pg") as typeof import("pg");
      pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
      // An idle client's error (e.g. postgres restarted) must not crash the replay process.
      pool.on("error", () => undefined);
      pools.set(url, pool);
    }
    return pool;
  };
  const cpStub = options.cpStub ?? cpStubFor(target.cpStubUrl);

  const byName = new Map<string, Tenant>();
  const makeTenant = (t: TenantTarget, host: string): Tenant => {
    const client = (credentials: Credentials): TenantClient =>
      new BoundClient(http, host, credentialHeaders(credentials));
    const tenant: Tenant = {
      name: t.name,
      host,
      orgId: t.orgId,
      adminToken: t.adminToken,
      databaseUrl: t.databaseUrl,
      container: t.container,
      get seed(): Readonly<Record<SeedRole, string>> {
        const ids = seed.tenants[t.name];
        if (!ids) {
          throw new Error(
            `no seed ids for tenant "${t.name}": HARNESS_SEED has ${Object.keys(seed.tenants).join(", ") || "none"}`,
          );
        }
        return ids;
      },
      anon: client({}),
      admin: client({ token: t.adminToken, orgId: t.orgId }),
      credsOf(other: Tenant | string) {
        const o = typeof other === "string" ? lookup(other) : other;
        return client({ token: o.adminToken, orgId: o.orgId });
      },
      client,
      get db() {
        return poolFor(t.databaseUrl);
      },
      async sql<R extends QueryResultRow>(text: string, params?: unknown[]): Promise<R[]> {
        const result = await poolFor(t.databaseUrl).query<R>(text, params);
        return result.rows;
      },
    };
    return tenant;
  };
  const lookup = (name: string): Tenant => {
    const tenant = byName.get(name);
    if (!tenant) {
      throw new Error(
        `no tenant named "${name}"; the target has ${target.tenants.map((t) => t.name).join(", ")}`,
      );
    }
    return tenant;
  };
  const tenants = target.tenants.map((t) => makeTenant(t, t.host));
  for (const tenant of tenants) byName.set(tenant.name, tenant);

  const edge: Edge = {
    url: target.edgeUrl,
    request: (req) => http.request(req),
    websocket: (req) => http.websocket(req),
  };
  const log = (...args: unknown[]) => {
    const text = format(...args);
    options.write(
      text
        .split("\n")
        // A logged "FAIL…"/"PASS…"/"__SKIP__…" must not read as the replay's verdict or a marker.
        .map((line) => `[replay] ${/^\s*(?:FAIL\b|PASS\b|✗|__[A-Z]+__)/.test(line) ? `| ${line}` : line}\n`)
        .join(""),
    );
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const ctx: ReplayContext = {
    name: options.name,
    target,
    seed,
    ci: isCi(env),
    env,
    log,
    edge,
    tenants,
    tenant: lookup,
    legacy: makeTenant(target.tenants[0], target.legacyHost),
    cpStub,
    skip(reason: string): never {
      throw new ReplaySkip(reason);
    },
    xfail(reason: string): never {
      throw new ReplayXfail(reason);
    },
    assert: assertions,
    sleep,
    async eventually<T>(
      probe: () => Promise<T> | T,
      { timeoutMs = 10_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return await probe();
        } catch (error) {
          if (Date.now() + intervalMs > deadline) throw error;
        }
        await sleep(intervalMs);
      }
    },
  };

  return {
    ctx,
    async close(timeoutMs = 3000) {
      const closing = Promise.allSettled([http.close(), ...[...pools.values()].map((pool) => pool.end())]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closing, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
