/**
 * buildTenant(deps): the reference tenant as a Fastify app, configured entirely by its arguments
 * (config in, server out) so tests start as many as they like on port 0.
 *
 * The global chain mirrors the anchor's gin order (docs/anchor.md#middleware-order), as onRequest hooks:
 *   CORS → rate limiter → metrics → TenantGuard → security headers → routes / CP proxy / canvas fallback
 * A hook that answers ends the chain, so a guard rejection carries CORS and rate-limit headers but no
 * security headers, and the guard also covers /ws and the canvas fallback.
 */
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Redis } from "ioredis";
import { lookup } from "node:dns/promises";
import type { Pool } from "pg";
import { Agent, type Dispatcher } from "undici";
import type { AuthDeps } from "./auth";
import { registerCanvasFallback, registerPlainNotFound } from "./canvas-proxy";
import type { TenantConfig } from "./config";
import { corsHook } from "./cors";
import { registerCpProxy } from "./cp-proxy";
import { EventBus } from "./events";
import { tenantGuardHook } from "./guard";
import { useLenientJsonParser, usePassthroughParser } from "./json-body";
import { createMetrics, metricsHooks } from "./metrics";
import { CpProvisioner } from "./provisioner";
import { RateLimiter, rateLimitHook } from "./rate-limit";
import type { Resolver } from "./register-url";
import { registerActivityRoutes } from "./routes/activity";
import { registerAdminRoutes } from "./routes/admin";
import type { RouteDeps } from "./routes/deps";
import { registerDiscoveryRoutes } from "./routes/discovery";
import { registerHealthRoutes } from "./routes/health";
import { registerRegistryRoutes } from "./routes/registry";
import { registerWorkspaceRoutes } from "./routes/workspaces";
import { registerWebSocketRoute } from "./routes/ws";
import { securityHeadersHook } from "./security-headers";
import { TokenStore } from "./tokens";

export interface TenantDeps {
  config: TenantConfig;
  /** Owned by the caller (boot or a test): the app never closes it. */
  pool: Pool;
  /** Owned by the caller (boot or a test): the app never closes it. */
  redis: Redis;
  /** Fastify logger option; default: JSON logs at config.logLevel. */
  logger?: FastifyServerOptions["logger"];
  /** DNS for /registry/register URL checks; default: the system resolver. */
  resolve?: Resolver;
  /** Outbound HTTP (proxies, CP); default: an agent owned and closed by the app. */
  dispatcher?: Dispatcher;
}

const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export async function buildTenant(deps: TenantDeps): Promise<FastifyInstance> {
  const { config, pool, redis } = deps;
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    trustProxy: false, // client IP = TCP peer; X-Forwarded-For is never believed
    bodyLimit: 10 * 1024 * 1024,
    routerOptions: { maxParamLength: 2048 },
    // Longer than the usual 60 s idle timeout of proxies in front, so they always close first.
    keepAliveTimeout: 65_000,
  });
  // Streams (SSE, long agent runs) must not be cut by a body timeout; the edge owns read timeouts.
  const dispatcher = deps.dispatcher ?? new Agent({ connect: { timeout: 10_000 }, bodyTimeout: 0 });

  const metrics = createMetrics();
  const events = new EventBus();
  const tokens = new TokenStore(pool);
  const canvasProxyActive = config.canvasProxyUrl !== null;
  const auth: AuthDeps = {
    adminToken: config.adminToken,
    devMode: config.devMode,
    canvasProxyActive,
    tokens,
  };
  const provisioner =
    config.orgId === ""
      ? null
      : new CpProvisioner({
          config: {
            cpProvisionUrl: config.cpProvisionUrl,
            sharedSecret: config.provisionSharedSecret,
            adminToken: config.adminToken,
            orgId: config.orgId,
            platformUrl: config.platformUrl,
            timeoutMs: config.provisionTimeoutMs,
            workspaceEnv: Object.fromEntries(
              Object.entries(config.llmEnv).filter(([key]) => key !== "MOLECULE_LLM_USAGE_TOKEN"),
            ),
          },
          pool,
          dispatcher,
          events,
          metrics,
          log: app.log,
        });
  const routeDeps: RouteDeps = {
    config,
    pool,
    redis,
    tokens,
    auth,
    events,
    metrics,
    provisioner,
    resolve: deps.resolve ?? systemResolver,
  };

  // First, so its own onRequest hook marks upgrade requests before any hook can answer them.
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

  app.addHook("onRequest", corsHook(config.corsOrigins));
  if (config.rateLimitPerMinute > 0)
    app.addHook("onRequest", rateLimitHook(new RateLimiter(config.rateLimitPerMinute)));
  const timing = metricsHooks(metrics);
  app.addHook("onRequest", timing.onRequest);
  app.addHook("onResponse", timing.onResponse);
  app.addHook("onRequest", tenantGuardHook({ orgId: config.orgId, canvasProxyActive }));
  app.addHook("onRequest", securityHeadersHook);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error }, "unhandled error");
    return reply.code(status).send({ error: status >= 500 ? "internal error" : error.message });
  });

  await app.register(async (api) => {
    useLenientJsonParser(api);
    registerHealthRoutes(api, routeDeps);
    registerWebSocketRoute(api, routeDeps);
    registerRegistryRoutes(api, routeDeps);
    registerDiscoveryRoutes(api, routeDeps);
    registerWorkspaceRoutes(api, routeDeps);
    registerActivityRoutes(api, routeDeps);
    registerAdminRoutes(api, routeDeps);
  });

  // Proxies stream request bodies untouched, so they live in a context without body parsers.
  await app.register(async (proxies) => {
    usePassthroughParser(proxies);
    if (config.cpUpstreamUrl) registerCpProxy(proxies, config.cpUpstreamUrl, dispatcher);
    if (config.canvasProxyUrl) registerCanvasFallback(proxies, config.canvasProxyUrl, dispatcher);
    else registerPlainNotFound(proxies);
  });

  app.addHook("onClose", async () => {
    await provisioner?.drain();
    if (!deps.dispatcher) await dispatcher.close();
  });
  return app;
}
