/** What the route modules are given: explicit dependencies, no module-level state. */
import type { FastifyBaseLogger } from "fastify";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import type { AuthDeps } from "../auth";
import type { TenantConfig } from "../config";
import type { EventBus } from "../events";
import type { TenantMetrics } from "../metrics";
import type { CpProvisioner } from "../provisioner";
import type { Resolver } from "../register-url";
import type { TokenStore } from "../tokens";

export interface RouteDeps {
  config: TenantConfig;
  pool: Pool;
  redis: Redis;
  tokens: TokenStore;
  auth: AuthDeps;
  events: EventBus;
  metrics: TenantMetrics;
  /** Set in tenant mode (MOLECULE_ORG_ID): workspace create provisions through the CP. */
  provisioner: CpProvisioner | null;
  resolve: Resolver;
}

/** Redis is a cache here: a failure is logged and the caller carries on (Postgres is the truth). */
export async function bestEffort<T>(
  log: FastifyBaseLogger,
  what: string,
  run: () => Promise<T>,
): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    log.warn({ err: error }, `redis: ${what} failed (continuing without cache)`);
    return null;
  }
}

/** First value of a query parameter (repeated parameters: the first wins, as in Go's c.Query). */
export function queryParam(query: unknown, name: string): string {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : "";
}

export const REDIS_TTL = { status: 180, url: 300 } as const;
export const redisKeys = {
  status: (id: string) => `ws:${id}`,
  url: (id: string) => `ws:${id}:url`,
  internalUrl: (id: string) => `ws:${id}:internal_url`,
};
