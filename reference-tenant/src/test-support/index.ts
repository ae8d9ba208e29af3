/**
 * Test support: real PostgreSQL and Redis on loopback (throwaway), the tenant booted in-process on
 * port 0, and a tiny HTTP client that can set Host (fetch cannot).
 */
import { Pool } from "pg";
import { request } from "undici";
import { startPostgres, type LoopbackPostgres } from "../../../tools/loopback/postgres";
import { startRedis, type LoopbackRedis } from "../../../tools/loopback/redis";
import { bootTenant, type BootedTenant, type BootLogger } from "../boot";
import type { Resolver } from "../register-url";

export const ADMIN_TOKEN = "test-admin-token";
export const ORG_ID = "test-org";
export const SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");
/** Nothing listens here: a CP URL that fails fast without leaving loopback. */
export const DEAD_URL = "http://127.0.0.1:1";

export interface Backends {
  pg: LoopbackPostgres;
  redis: LoopbackRedis;
  stop(): Promise<void>;
}

export async function startBackends(): Promise<Backends> {
  const [pgStart, redisStart] = await Promise.allSettled([startPostgres(), startRedis()]);
  if (pgStart.status === "rejected" || redisStart.status === "rejected") {
    // Stop the one that did start: a live child would keep the test process from ever exiting.
    await Promise.all(
      [pgStart, redisStart].map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)),
    );
    throw pgStart.status === "rejected" ? pgStart.reason : (redisStart as PromiseRejectedResult).reason;
  }
  const [pg, redis] = [pgStart.value, redisStart.value];
  return {
    pg,
    redis,
    stop: async () => {
      await Promise.all([pg.stop(), redis.stop()]);
    },
  };
}

/**
 * A pool for a test's own SQL. An idle client's error (postgres ending its connection) goes to
 * stderr, where the unit tier's failure report shows it, instead of crashing the test process
 * with an unhandled 'error' event long after the test that opened the connection has passed.
 */
export function sqlPool(url: string): Pool {
  const pool = new Pool({ connectionString: url });
  pool.on("error", (error) => console.error(`test sql pool: idle client error: ${error.message}`));
  return pool;
}

/** The harness's production-shape env for one tenant, pointed at loopback servers. */
export function tenantEnv(backends: Backends, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: backends.pg.url,
    REDIS_URL: backends.redis.url,
    HOST: "127.0.0.1",
    PORT: "0",
    PLATFORM_URL: "http://tenant-test:8080",
    MOLECULE_ENV: "production",
    SECRETS_ENCRYPTION_KEY: SECRETS_KEY,
    ADMIN_TOKEN,
    MOLECULE_ORG_ID: ORG_ID,
    MOLECULE_CP_URL: DEAD_URL,
    CP_PROVISION_URL: DEAD_URL,
    RATE_LIMIT: "1000",
    LOG_LEVEL: "silent",
    BOOT_DEPENDENCY_TIMEOUT_MS: "5000",
    ...extra,
  };
}

export const silentBootLog: BootLogger = { info: () => undefined, warn: () => undefined };

/** Names resolve only from this table: tests never query real DNS. */
export function fakeResolver(table: Record<string, string[]> = {}): Resolver {
  return async (hostname) => {
    const found = table[hostname];
    if (!found) throw new Error(`ENOTFOUND ${hostname}`);
    return found;
  };
}

export async function startTenant(
  env: NodeJS.ProcessEnv,
  options: { resolve?: Resolver; bootLog?: BootLogger; bakedGitSha?: string | null } = {},
): Promise<BootedTenant> {
  return bootTenant(env, {
    logger: false,
    bootLog: options.bootLog ?? silentBootLog,
    resolve: options.resolve ?? fakeResolver(),
    bakedGitSha: options.bakedGitSha,
  });
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<Response> {
  const headers = { ...(options.headers ?? {}) };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await request(`${base}${path}`, {
    method: method as "GET",
    headers,
    body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

export function admin(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${ADMIN_TOKEN}`, "x-molecule-org-id": ORG_ID, ...extra };
}

export function org(extra: Record<string, string> = {}): Record<string, string> {
  return { "x-molecule-org-id": ORG_ID, ...extra };
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates a workspace through the API and returns its server id. */
export async function createWorkspace(base: string, body: Record<string, unknown>): Promise<string> {
  const res = await call(base, "POST", "/workspaces", { headers: admin(), body });
  if (res.status !== 201) throw new Error(`create workspace: ${res.status} ${res.text}`);
  return res.json<{ id: string }>().id;
}

/** A new, empty database on the same loopback server (for tests that need a fresh install). */
export async function freshDatabase(backends: Backends, name: string): Promise<string> {
  const { Client } = await import("pg");
  const url = new URL(backends.pg.url);
  url.pathname = "/postgres";
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}
