/**
 * Workspace activity (docs/anchor.md#workspaces-and-activity), behind WorkspaceAuth. The list filters are the
 * wire contract replays pin: `peer_id` (a UUID, matched as source OR target), `before_ts` (RFC 3339,
 * strictly older), `type`, `source`, `limit` (default 100, max 500), `since_secs`, `since_id`
 * (ascending from a cursor; 410 once the cursor row is gone). Newest first otherwise.
 */
import type { FastifyInstance } from "fastify";
import { workspaceAuth } from "../auth";
import { isPlainObject, isRfc3339, isUuid } from "../validate";
import { queryParam, type RouteDeps } from "./deps";

export const ACTIVITY_TYPES = [
  "a2a_send",
  "a2a_receive",
  "task_update",
  "agent_log",
  "skill_promotion",
  "memory_write",
  "error",
] as const;

export const ACTIVITY_ERRORS = {
  peerId: { error: "peer_id must be a UUID" },
  beforeTs: { error: "before_ts must be an RFC3339 timestamp (e.g. 2026-05-01T00:00:00Z)" },
  source: { error: "source must be 'canvas' or 'agent'" },
  sinceSecs: { error: "since_secs must be a positive integer" },
  sinceId: { error: "since_id must be a UUID" },
  cursorGone: { error: "since_id cursor no longer exists; re-fetch without since_id" },
  invalidWorkspace: { error: "invalid workspace ID" },
} as const;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

/** A positive integer limit, capped at 500; anything else falls back to the default. */
export function parseLimit(raw: string): number {
  if (!/^\d+$/.test(raw)) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (n <= 0) return DEFAULT_LIMIT;
  return Math.min(n, MAX_LIMIT);
}

interface ActivityRow {
  id: string;
  workspace_id: string;
  activity_type: string;
  source_id: string | null;
  target_id: string | null;
  method: string | null;
  summary: string | null;
  request_body: unknown;
  response_body: unknown;
  tool_trace: unknown;
  duration_ms: number | null;
  status: string;
  error_detail: string | null;
  created_at: string;
}

/** Bodies only when present, as the anchor's handler does. */
function toJson(row: ActivityRow): Record<string, unknown> {
  const { request_body, response_body, tool_trace, ...rest } = row;
  const out: Record<string, unknown> = { ...rest };
  if (request_body !== null) out.request_body = request_body;
  if (response_body !== null) out.response_body = response_body;
  if (tool_trace !== null) out.tool_trace = tool_trace;
  return out;
}

function optionalString(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === "") return null;
  return typeof value === "string" ? value : undefined;
}

export function registerActivityRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { pool, events } = deps;
  const guard = workspaceAuth(deps.auth);

  app.get<{ Params: { id: string } }>(
    "/workspaces/:id/activity",
    { preHandler: guard },
    async (request, reply) => {
      const id = request.params.id;
      if (!isUuid(id)) return reply.code(400).send(ACTIVITY_ERRORS.invalidWorkspace);
      const q = request.query;
      const type = queryParam(q, "type");
      const source = queryParam(q, "source");
      const peerId = queryParam(q, "peer_id");
      const beforeTs = queryParam(q, "before_ts");
      const sinceSecs = queryParam(q, "since_secs");
      const sinceId = queryParam(q, "since_id");

      if (source !== "" && source !== "canvas" && source !== "agent")
        return reply.code(400).send(ACTIVITY_ERRORS.source);
      if (peerId !== "" && !isUuid(peerId)) return reply.code(400).send(ACTIVITY_ERRORS.peerId);
      if (beforeTs !== "" && !isRfc3339(beforeTs)) return reply.code(400).send(ACTIVITY_ERRORS.beforeTs);
      if (sinceSecs !== "" && !/^[1-9]\d{0,9}$/.test(sinceSecs))
        return reply.code(400).send(ACTIVITY_ERRORS.sinceSecs);
      if (sinceId !== "" && !isUuid(sinceId)) return reply.code(400).send(ACTIVITY_ERRORS.sinceId);

      const args: unknown[] = [id];
      const where = ["workspace_id = $1"];
      const arg = (value: unknown) => {
        args.push(value);
        return `$${args.length}`;
      };
      if (type !== "") where.push(`activity_type = ${arg(type)}`);
      if (source === "canvas") where.push("source_id IS NULL");
      if (source === "agent") where.push("source_id IS NOT NULL");
      if (peerId !== "") {
        const p = arg(peerId.toLowerCase());
        where.push(`(source_id = ${p}::uuid OR target_id = ${p}::uuid)`);
      }
      // Postgres parses the timestamp itself: full microsecond precision, any RFC 3339 offset.
      if (beforeTs !== "") where.push(`created_at < ${arg(beforeTs)}::timestamptz`);
      if (sinceSecs !== "")
        where.push(`created_at > now() - make_interval(secs => ${arg(Number(sinceSecs))})`);
      let order = "created_at DESC, id DESC";
      try {
        if (sinceId !== "") {
          const cursor = await pool.query("SELECT 1 FROM activity_logs WHERE id = $1 AND workspace_id = $2", [
            sinceId,
            id,
          ]);
          if (cursor.rowCount === 0) return reply.code(410).send(ACTIVITY_ERRORS.cursorGone);
          const c = arg(sinceId);
          where.push(`(created_at, id) > (SELECT created_at, id FROM activity_logs WHERE id = ${c})`);
          order = "created_at ASC, id ASC";
        }
        const limit = arg(parseLimit(queryParam(q, "limit")));
        const { rows } = await pool.query<ActivityRow>(
          `SELECT id, workspace_id, activity_type, source_id, target_id, method, summary, request_body,
                response_body, tool_trace, duration_ms, status, error_detail, created_at
           FROM activity_logs WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${limit}`,
          args,
        );
        return rows.map(toJson);
      } catch (error) {
        request.log.error({ err: error }, "activity list: query failed");
        return reply.code(500).send({ error: "query failed" });
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    "/workspaces/:id/activity",
    { preHandler: guard },
    async (request, reply) => {
      const id = request.params.id;
      if (!isUuid(id)) return reply.code(400).send(ACTIVITY_ERRORS.invalidWorkspace);
      const body = request.body;
      if (!isPlainObject(body)) return reply.code(400).send({ error: "invalid request body" });
      const activityType = body.activity_type ?? body.type;
      if (!ACTIVITY_TYPES.includes(activityType as never)) {
        return reply
          .code(400)
          .send({ error: `invalid activity_type, must be one of: ${ACTIVITY_TYPES.join(", ")}` });
      }
      const sourceId = optionalString(body.source_id);
      const targetId = optionalString(body.target_id);
      const method = optionalString(body.method);
      const summary = optionalString(body.summary);
      const status = optionalString(body.status);
      const errorDetail = optionalString(body.error_detail);
      const duration = body.duration_ms;
      if ([sourceId, targetId, method, summary, status, errorDetail].includes(undefined)) {
        return reply.code(400).send({ error: "invalid request body" });
      }
      if (duration !== undefined && duration !== null && !Number.isInteger(duration)) {
        return reply.code(400).send({ error: "invalid request body" });
      }
      if (targetId && !isUuid(targetId)) return reply.code(400).send({ error: "invalid request body" });
      // A workspace may only log as itself: the auth proved :id, not the body's source_id.
      if (sourceId && sourceId.toLowerCase() !== id.toLowerCase()) {
        request.log.warn({ workspace_id: id, body_source_id: sourceId }, "activity: source_id spoof attempt");
        return reply.code(403).send({ error: "source_id must match authenticated workspace" });
      }
      const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
      try {
        await pool.query(
          `INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, summary,
                                    request_body, response_body, tool_trace, duration_ms, status, error_detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12)`,
          [
            id,
            activityType,
            id,
            targetId,
            method,
            summary,
            json(body.request_body ?? body.metadata),
            json(body.response_body),
            json(body.tool_trace),
            duration ?? null,
            status ?? "ok",
            errorDetail,
          ],
        );
      } catch (error) {
        if ((error as { code?: string }).code === "23503") {
          return reply.code(404).send({ error: "workspace not found" });
        }
        request.log.error({ err: error }, "activity report: insert failed");
        return reply.code(500).send({ error: "failed to log activity" });
      }
      events.publish("ACTIVITY_LOGGED", id.toLowerCase(), {
        activity_type: activityType,
        method,
        summary,
        status: status ?? "ok",
        source_id: id,
        target_id: targetId,
      });
      return { status: "logged" };
    },
  );
}
