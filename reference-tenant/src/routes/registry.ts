/**
 * Workspace self-registration (docs/anchor.md#registry): register, heartbeat, update-card. Register and
 * heartbeat are on the guard's allowlist (workspace hosts carry no org id); all three enforce the
 * token rule: once a workspace holds a live token, only that token may speak for it.
 */
import type { FastifyInstance } from "fastify";
import { checkWorkspaceCaller } from "../auth";
import { isSafeWorkspaceUrl } from "../register-url";
import { isPlainObject } from "../validate";
import { bestEffort, REDIS_TTL, redisKeys, type RouteDeps } from "./deps";
import { nextHeartbeatStatus, parseHeartbeat } from "./heartbeat-rules";

const INVALID_BODY = { error: "invalid request body" };

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

export function registerRegistryRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { pool, redis, tokens, auth, events, config } = deps;

  app.post("/registry/register", async (request, reply) => {
    const body = request.body;
    if (!isPlainObject(body) || !nonEmptyString(body.id) || !nonEmptyString(body.url)) {
      return reply.code(400).send(INVALID_BODY);
    }
    if (body.agent_card === undefined || body.agent_card === null) return reply.code(400).send(INVALID_BODY);
    if (!(await isSafeWorkspaceUrl(body.url, config.saasMode, deps.resolve))) {
      return reply.code(400).send(INVALID_BODY);
    }
    let id: string;
    let authToken: string | undefined;
    try {
      const rejection = await checkWorkspaceCaller(auth, request, body.id, { devModeBypass: false });
      if (rejection) return reply.code(rejection.status).send(rejection.body);
      const { rows } = await pool.query<{ id: string; status: string }>(
        `INSERT INTO workspaces (id, name, url, agent_card, status, last_heartbeat_at)
         VALUES ($1, $2, $3, $4, 'online', now())
         ON CONFLICT (id) DO UPDATE SET
           -- a URL the local provisioner wrote for a container on this host wins over a self-report
           url = CASE WHEN workspaces.url LIKE 'http://127.0.0.1%' THEN workspaces.url ELSE EXCLUDED.url END,
           agent_card = EXCLUDED.agent_card, status = 'online', last_heartbeat_at = now(), updated_at = now()
         WHERE workspaces.status <> 'removed'
         RETURNING id, status::text AS status`,
        [body.id, body.id, body.url, JSON.stringify(body.agent_card)],
      );
      // Never resurrect a removed workspace (the upsert above changed nothing).
      if (rows.length === 0) return reply.code(410).send({ error: "workspace removed" });
      id = rows[0].id;
      if (!(await tokens.hasLiveToken(id))) authToken = await tokens.issueWorkspaceToken(id);
    } catch (error) {
      request.log.error({ err: error }, "register: datastore error");
      return reply.code(500).send({ error: "registration failed" });
    }
    const url = body.url;
    await bestEffort(request.log, "register cache", () =>
      redis
        .multi()
        .set(redisKeys.status(id), "online", "EX", REDIS_TTL.status)
        .set(redisKeys.url(id), url, "EX", REDIS_TTL.url)
        .set(redisKeys.internalUrl(id), url, "EX", REDIS_TTL.url)
        .exec(),
    );
    events.publish("WORKSPACE_ONLINE", id, { url });
    return authToken === undefined
      ? { status: "registered" }
      : { status: "registered", auth_token: authToken };
  });

  app.post("/registry/heartbeat", async (request, reply) => {
    const beat = parseHeartbeat(request.body);
    if (!beat) return reply.code(400).send(INVALID_BODY);
    let transition: { from: string; to: string } | null = null;
    const client = await pool.connect().catch(() => null);
    if (!client) return reply.code(500).send({ error: "failed to update" });
    try {
      const rejection = await checkWorkspaceCaller(auth, request, beat.workspaceId, { devModeBypass: false });
      if (rejection) return reply.code(rejection.status).send(rejection.body);
      await client.query("BEGIN");
      const { rows } = await client.query<{ id: string; status: string }>(
        "SELECT id, status::text AS status FROM workspaces WHERE id = $1 FOR UPDATE",
        [beat.workspaceId],
      );
      const previous = rows[0];
      // Unknown workspace: nothing to update, and still 200 (as the anchor's UPDATE-matches-nothing).
      if (previous && previous.status !== "removed") {
        const status = nextHeartbeatStatus(previous.status, beat);
        await client.query(
          `UPDATE workspaces SET last_heartbeat_at = now(), updated_at = now(), last_error_rate = $2,
                  last_sample_error = $3, active_tasks = $4, uptime_seconds = $5, current_task = $6,
                  monthly_spend = COALESCE($7, monthly_spend), status = $8
            WHERE id = $1`,
          [
            previous.id,
            beat.errorRate,
            beat.sampleError,
            beat.activeTasks,
            beat.uptimeSeconds,
            beat.currentTask,
            beat.monthlySpend,
            status,
          ],
        );
        if (status !== previous.status) transition = { from: previous.status, to: status };
        await client.query("COMMIT");
        const id = previous.id;
        await bestEffort(request.log, "heartbeat cache", () =>
          redis.set(redisKeys.status(id), status, "EX", REDIS_TTL.status),
        );
        if (transition) events.publish(`WORKSPACE_${status.toUpperCase()}`, id, transition);
      } else {
        await client.query("COMMIT");
      }
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      request.log.error({ err: error }, "heartbeat: datastore error");
      return reply.code(500).send({ error: "failed to update" });
    } finally {
      client.release();
    }
    return { status: "ok" };
  });

  app.post("/registry/update-card", async (request, reply) => {
    const body = request.body;
    if (!isPlainObject(body) || !nonEmptyString(body.workspace_id)) return reply.code(400).send(INVALID_BODY);
    if (body.agent_card === undefined || body.agent_card === null) return reply.code(400).send(INVALID_BODY);
    try {
      const rejection = await checkWorkspaceCaller(auth, request, body.workspace_id, {
        devModeBypass: false,
      });
      if (rejection) return reply.code(rejection.status).send(rejection.body);
      const { rowCount } = await pool.query(
        `UPDATE workspaces SET agent_card = $2, updated_at = now() WHERE id = $1 AND status <> 'removed'`,
        [body.workspace_id, JSON.stringify(body.agent_card)],
      );
      if (!rowCount) return reply.code(404).send({ error: "workspace not found" });
    } catch (error) {
      request.log.error({ err: error }, "update-card: datastore error");
      return reply.code(500).send({ error: "update failed" });
    }
    events.publish("AGENT_CARD_UPDATED", body.workspace_id.toLowerCase(), {});
    return { status: "updated" };
  });
}
