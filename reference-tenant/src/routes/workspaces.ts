/**
 * Workspaces (docs/anchor.md#workspaces-and-activity): create/list/delete behind AdminAuth, get-by-id open.
 * In tenant mode a create kicks off CP provisioning in the background; GET /workspaces/:id shows the outcome.
 */
import type { FastifyInstance } from "fastify";
import { adminAuth } from "../auth";
import {
  getWorkspace,
  insertWorkspace,
  listWorkspaces,
  liveWorkspaceExists,
  removeWorkspaceTree,
  type WorkspaceRow,
} from "../db/workspaces";
import { isUuid } from "../validate";
import { bestEffort, redisKeys, type RouteDeps } from "./deps";
import { parseNewWorkspace } from "./workspace-input";

/** GET /workspaces/:id is open, so it omits what only operators should see. */
export function publicWorkspace(
  row: WorkspaceRow,
): Omit<
  WorkspaceRow,
  "budget_limit" | "monthly_spend" | "current_task" | "last_sample_error" | "workspace_dir"
> {
  const {
    budget_limit: _budget,
    monthly_spend: _spend,
    current_task: _task,
    last_sample_error: _error,
    workspace_dir: _dir,
    ...rest
  } = row;
  return rest;
}

export function registerWorkspaceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { pool, redis, events, tokens } = deps;
  const admin = adminAuth(deps.auth);

  app.post("/workspaces", { preHandler: admin }, async (request, reply) => {
    const parsed = parseNewWorkspace(request.body);
    if (!parsed.ok) {
      const error = parsed.error === "payload" ? "invalid workspace payload" : "invalid workspace fields";
      return reply.code(400).send({ error });
    }
    const input = parsed.value;
    let created;
    try {
      if (input.parentId !== null && !(await liveWorkspaceExists(pool, input.parentId))) {
        return reply.code(400).send({ error: "invalid workspace fields" });
      }
      created = await insertWorkspace(pool, input);
    } catch (error) {
      request.log.error({ err: error }, "workspace create: datastore error");
      return reply.code(500).send({ error: "failed to create workspace" });
    }
    events.publish("WORKSPACE_PROVISIONING", created.id, { name: input.name });
    deps.provisioner?.start({ id: created.id, runtime: input.runtime, tier: input.tier });
    return reply.code(201).send({ id: created.id, status: "provisioning", ...pickNamespace(created) });
  });

  app.get("/workspaces", { preHandler: admin }, async (request, reply) => {
    try {
      return await listWorkspaces(pool);
    } catch (error) {
      request.log.error({ err: error }, "workspace list: datastore error");
      return reply.code(500).send({ error: "failed to list workspaces" });
    }
  });

  app.get<{ Params: { id: string } }>("/workspaces/:id", async (request, reply) => {
    if (!isUuid(request.params.id)) return reply.code(400).send({ error: "invalid workspace ID" });
    try {
      const row = await getWorkspace(pool, request.params.id);
      if (!row) return reply.code(404).send({ error: "workspace not found" });
      return publicWorkspace(row);
    } catch (error) {
      request.log.error({ err: error }, "workspace get: datastore error");
      return reply.code(500).send({ error: "lookup failed" });
    }
  });

  app.delete<{ Params: { id: string } }>("/workspaces/:id", { preHandler: admin }, async (request, reply) => {
    if (!isUuid(request.params.id)) return reply.code(400).send({ error: "invalid workspace ID" });
    let removed: string[];
    try {
      const existing = await getWorkspace(pool, request.params.id);
      if (!existing) return reply.code(404).send({ error: "workspace not found" });
      removed = await removeWorkspaceTree(pool, existing.id);
      if (removed.length > 0) await tokens.revokeWorkspaceTokens(removed);
    } catch (error) {
      request.log.error({ err: error }, "workspace delete: datastore error");
      return reply.code(500).send({ error: "failed to remove workspace" });
    }
    if (removed.length > 0) {
      await bestEffort(request.log, "delete cache", () =>
        redis.del(
          ...removed.flatMap((id) => [redisKeys.status(id), redisKeys.url(id), redisKeys.internalUrl(id)]),
        ),
      );
    }
    for (const id of removed) events.publish("WORKSPACE_REMOVED", id, {});
    return { status: "removed", removed: removed.length };
  });
}

function pickNamespace(created: { awareness_namespace: string; workspace_access: string }) {
  return { awareness_namespace: created.awareness_namespace, workspace_access: created.workspace_access };
}
