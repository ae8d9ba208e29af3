/** Open, allowlisted probes: /health (compose/k8s readiness), /buildinfo (deploy verifier), /metrics. */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./deps";

export function registerHealthRoutes(
  app: FastifyInstance,
  deps: Pick<RouteDeps, "config" | "metrics">,
): void {
  app.get("/health", async () => ({ status: "ok" }));
  // The redeploy verifier compares this with the SHA it just shipped: stale image ⇒ mismatch.
  app.get("/buildinfo", async () => ({ git_sha: deps.config.gitSha }));
  app.get("/metrics", async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}
