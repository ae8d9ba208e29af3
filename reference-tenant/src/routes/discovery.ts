/**
 * Peer discovery (docs/anchor.md#registry): peers (pure Postgres), discover (Redis first, then Postgres)
 * and check-access. An unknown workspace asking for its peers gets 404 `workspace not found` — the
 * answer the runtime turns into "not registered" instead of the old "may be isolated" (#2397).
 */
import type { FastifyInstance } from "fastify";
import { canCommunicate } from "../access";
import { checkWorkspaceCaller } from "../auth";
import type { WorkspaceRow } from "../db/workspaces";
import { isSafeWorkspaceUrl } from "../register-url";
import { isPlainObject, isUuid } from "../validate";
import { bestEffort, queryParam, REDIS_TTL, redisKeys, type RouteDeps } from "./deps";

/** The workspace fields a peer listing exposes (docs/anchor.md#registry). */
export type PeerRow = Pick<
  WorkspaceRow,
  "id" | "name" | "role" | "tier" | "status" | "agent_card" | "url" | "parent_id" | "active_tasks"
>;

const PEER_COLUMNS = `id, name, NULLIF(role, '') AS role, tier, status::text AS status, agent_card,
  COALESCE(url, '') AS url, parent_id, active_tasks`;
// $2 is the optional ?q= filter: case-insensitive substring of name or role.
const PEER_FILTER = `status <> 'removed'
  AND ($2::text IS NULL OR strpos(lower(name), lower($2)) > 0 OR strpos(lower(COALESCE(role, '')), lower($2)) > 0)`;

/** Container address the Docker provisioner gives a workspace (used when nothing better is known). */
export function containerUrl(id: string): string {
  return `http://ws-${id.slice(0, 12)}:8000`;
}

/** Rewrites a loopback URL so a container can reach the host (external runtimes run on the host). */
export function rewriteLoopbackForContainers(url: string): string {
  return url.replace(/^(https?:\/\/)(localhost|127\.0\.0\.1)(?=[:/?#]|$)/i, "$1host.docker.internal");
}

export function registerDiscoveryRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { pool, redis, auth } = deps;

  app.get<{ Params: { id: string } }>("/registry/:id/peers", async (request, reply) => {
    const id = request.params.id;
    const q = queryParam(request.query, "q").trim();
    try {
      const rejection = await checkWorkspaceCaller(auth, request, id, { devModeBypass: true });
      if (rejection) return reply.code(rejection.status).send(rejection.body);
      // A non-UUID id fails in Postgres' uuid cast and lands in the 500 below, as in the anchor.
      const self = await pool.query<{ id: string; parent_id: string | null }>(
        "SELECT id, parent_id FROM workspaces WHERE id = $1 AND status <> 'removed'",
        [id],
      );
      if (self.rows.length === 0) return reply.code(404).send({ error: "workspace not found" });
      const { id: selfId, parent_id: parentId } = self.rows[0];
      const filter = q === "" ? null : q;
      const siblings = await pool.query<PeerRow>(
        `SELECT ${PEER_COLUMNS} FROM workspaces
          WHERE parent_id IS NOT DISTINCT FROM $3 AND id <> $1 AND ${PEER_FILTER} ORDER BY name, id`,
        [selfId, filter, parentId],
      );
      const children = await pool.query<PeerRow>(
        `SELECT ${PEER_COLUMNS} FROM workspaces WHERE parent_id = $1 AND ${PEER_FILTER} ORDER BY name, id`,
        [selfId, filter],
      );
      const parent =
        parentId === null
          ? { rows: [] as PeerRow[] }
          : await pool.query<PeerRow>(
              `SELECT ${PEER_COLUMNS} FROM workspaces WHERE id = $1 AND ${PEER_FILTER}`,
              [parentId, filter],
            );
      return [...siblings.rows, ...children.rows, ...parent.rows];
    } catch (error) {
      request.log.error({ err: error }, "peers: lookup failed");
      return reply.code(500).send({ error: "lookup failed" });
    }
  });

  app.get<{ Params: { id: string } }>("/registry/discover/:id", async (request, reply) => {
    const targetId = request.params.id;
    const callerHeader = request.headers["x-workspace-id"];
    const callerId = (Array.isArray(callerHeader) ? callerHeader[0] : callerHeader)?.trim() ?? "";
    if (callerId === "") return reply.code(400).send({ error: "X-Workspace-ID header is required" });
    try {
      if (isUuid(callerId)) {
        const rejection = await checkWorkspaceCaller(auth, request, callerId, { devModeBypass: true });
        if (rejection) return reply.code(rejection.status).send(rejection.body);
      }
      if (!(await canCommunicate(pool, callerId, targetId, request.log))) {
        return reply.code(403).send({ error: "not authorized to discover this workspace" });
      }
      const target = targetId.toLowerCase();
      const { rows } = await pool.query<{
        name: string;
        status: string;
        runtime: string;
        url: string | null;
      }>("SELECT name, status::text AS status, runtime, url FROM workspaces WHERE id = $1", [target]);
      const row = rows[0];

      // External runtimes run outside Docker: hand out the URL they registered, made reachable.
      if (row && row.runtime === "external" && row.url) {
        const caller = await pool.query<{ runtime: string }>("SELECT runtime FROM workspaces WHERE id = $1", [
          callerId,
        ]);
        const callerExternal = caller.rows[0]?.runtime === "external";
        const url = callerExternal ? row.url : rewriteLoopbackForContainers(row.url);
        if (!(await isSafeWorkspaceUrl(url, deps.config.saasMode, deps.resolve))) {
          return reply.code(503).send({ error: "workspace URL failed safety check" });
        }
        return { id: target, url, name: row.name };
      }

      const cached = await bestEffort(request.log, "discover lookup", () =>
        redis.get(redisKeys.internalUrl(target)),
      );
      if (cached) return { id: target, url: cached, name: row?.name ?? "" };

      if (!row) return reply.code(404).send({ error: "workspace not found" });
      if (row.status !== "online" && row.status !== "degraded") {
        return reply.code(503).send({ error: "workspace not available", status: row.status });
      }
      const url = containerUrl(target);
      await bestEffort(request.log, "discover cache", () =>
        redis.set(redisKeys.internalUrl(target), url, "EX", REDIS_TTL.url),
      );
      return { id: target, url, name: row.name };
    } catch (error) {
      request.log.error({ err: error }, "discover: lookup failed");
      return reply.code(500).send({ error: "lookup failed" });
    }
  });

  app.post("/registry/check-access", async (request, reply) => {
    const body = request.body;
    if (!isPlainObject(body) || typeof body.caller_id !== "string" || typeof body.target_id !== "string") {
      return reply.code(400).send({ error: "invalid request body" });
    }
    if (body.caller_id === "" || body.target_id === "")
      return reply.code(400).send({ error: "invalid request body" });
    return { allowed: await canCommunicate(pool, body.caller_id, body.target_id, request.log) };
  });
}
