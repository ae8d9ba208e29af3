/**
 * Prometheus metrics on a registry owned by one app instance (never prom-client's global one), so
 * two tenants in one process — as in the tests — do not share counters.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface TenantMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  websocketConnections: Gauge;
  provisionOutcomes: Counter<"outcome">;
}

export function createMetrics(): TenantMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: "molecule_http_requests_total",
      help: "HTTP requests served, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "molecule_http_request_duration_seconds",
      help: "HTTP request latency, by method and route pattern",
      labelNames: ["method", "route"],
      registers: [registry],
    }),
    websocketConnections: new Gauge({
      name: "molecule_websocket_connections",
      help: "Open /ws connections",
      registers: [registry],
    }),
    provisionOutcomes: new Counter({
      name: "molecule_cp_provision_total",
      help: "CP provisioning attempts, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
  };
}

const START = Symbol("metricsStart");
type Timed = FastifyRequest & { [START]?: bigint };

// Route patterns, not raw URLs, as labels: ids in paths would explode the series count.
function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? "NoRoute";
}

export function metricsHooks(metrics: TenantMetrics) {
  return {
    onRequest: async (request: FastifyRequest): Promise<void> => {
      (request as Timed)[START] = process.hrtime.bigint();
    },
    onResponse: async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const route = routeLabel(request);
      metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
      const start = (request as Timed)[START];
      if (start !== undefined) {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        metrics.httpDuration.observe({ method: request.method, route }, seconds);
      }
    },
  };
}
