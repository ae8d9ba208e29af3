/**
 * Boot sequence of the tenant API process, separate from main.ts so tests can boot (and fail to
 * boot) in-process:
 *   config (all problems at once) → postgres (bounded retry) → migrations → redis (bounded retry)
 *   → best-effort CP config refresh → app → listen.
 * Anything that fails closes what was already opened and rejects with a message naming the cause.
 */
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import { buildTenant } from "./app";
import { describeLayers, loadConfig, type TenantConfig } from "./config";
import { refreshConfigFromCp } from "./cp-config-refresh";
import { connectPostgres } from "./db/connect";
import { migrate } from "./db/migrate";
import { connectRedis } from "./redis";
import type { Resolver } from "./register-url";

/** Keys a CP config refresh may never change: they define who and where this tenant is. */
export const PROTECTED_ENV_KEYS: ReadonlySet<string> = new Set([
  "DATABASE_URL",
  "REDIS_URL",
  "PORT",
  "HOST",
  "ADMIN_TOKEN",
  "MOLECULE_ORG_ID",
  "MOLECULE_ENV",
  "SECRETS_ENCRYPTION_KEY",
  "CP_UPSTREAM_URL",
  "MOLECULE_CP_URL",
  "CP_PROVISION_URL",
  "CANVAS_PROXY_URL",
  "GIT_SHA",
]);

export interface BootLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface BootOptions {
  bakedGitSha?: string | null;
  logger?: FastifyServerOptions["logger"];
  /** Pre-app log lines (config, connections, refresh); default: JSON lines on stderr. */
  bootLog?: BootLogger;
  resolve?: Resolver;
}

export interface BootedTenant {
  app: FastifyInstance;
  config: TenantConfig;
  /** http://<host>:<port> actually bound (port 0 resolved). */
  url: string;
  close(): Promise<void>;
}

export const stderrLogger: BootLogger = {
  info: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: "info", msg, ...obj })}\n`),
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: "warn", msg, ...obj })}\n`),
};

export async function bootTenant(env: NodeJS.ProcessEnv, options: BootOptions = {}): Promise<BootedTenant> {
  const log = options.bootLog ?? stderrLogger;
  let config = loadConfig(env, { bakedGitSha: options.bakedGitSha });
  log.info({ layers: describeLayers(config) }, "tenant: configuration loaded");

  let pool: Pool | null = null;
  let redis: Redis | null = null;
  let app: FastifyInstance | null = null;
  const release = async () => {
    await app?.close().catch(() => undefined);
    redis?.disconnect();
    await pool?.end().catch(() => undefined);
  };
  try {
    pool = await connectPostgres(config.databaseUrl, config.bootTimeoutMs);
    const applied = await migrate(pool);
    log.info({ applied }, "tenant: migrations done");
    redis = await connectRedis(config.redisUrl, config.bootTimeoutMs);

    const refresh = await refreshConfigFromCp({
      cpConfigUrl: config.cpConfigUrl,
      adminToken: config.adminToken,
      orgId: config.orgId,
      log,
    });
    if (refresh.status === "applied") {
      const adopted = Object.fromEntries(
        Object.entries(refresh.values).filter(([k]) => !PROTECTED_ENV_KEYS.has(k)),
      );
      const refused = Object.keys(refresh.values).filter((k) => PROTECTED_ENV_KEYS.has(k));
      if (refused.length > 0) log.warn({ refused }, "cp config refresh: protected keys not adopted");
      config = loadConfig({ ...env, ...adopted }, { bakedGitSha: options.bakedGitSha });
    }

    app = await buildTenant({ config, pool, redis, logger: options.logger, resolve: options.resolve });
    const bootedPool = pool;
    const bootedRedis = redis;
    bootedPool.on("error", (error) => app?.log.warn({ err: error }, "postgres: idle client error"));
    bootedRedis.on("error", (error) => app?.log.warn({ err: error }, "redis: connection error"));
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
    const booted = app;
    return {
      app: booted,
      config,
      url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
      close: async () => {
        await booted.close();
        bootedRedis.disconnect();
        await bootedPool.end();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
