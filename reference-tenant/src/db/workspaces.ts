/** Workspace rows: the queries the workspace and registry routes share. */
import { randomUUID } from "node:crypto";
import type { Pool } from "pg";

export interface WorkspaceRow {
  id: string;
  name: string;
  role: string | null;
  tier: number;
  status: string;
  agent_card: unknown;
  url: string;
  parent_id: string | null;
  active_tasks: number;
  last_error_rate: number;
  last_sample_error: string | null;
  uptime_seconds: number;
  current_task: string | null;
  runtime: string;
  workspace_dir: string | null;
  workspace_access: string;
  awareness_namespace: string | null;
  budget_limit: number | null;
  monthly_spend: number;
  instance_id: string | null;
  max_concurrent_tasks: number;
  last_heartbeat_at: string | null;
  created_at: string;
  updated_at: string;
  x: number;
  y: number;
  collapsed: boolean;
}

const SELECT_WORKSPACE = `
  SELECT w.id, w.name, w.role, w.tier, w.status::text AS status, w.agent_card, COALESCE(w.url, '') AS url,
         w.parent_id, w.active_tasks, w.last_error_rate, w.last_sample_error, w.uptime_seconds,
         w.current_task, w.runtime, w.workspace_dir, w.workspace_access, w.awareness_namespace,
         w.budget_limit, w.monthly_spend, w.instance_id, w.max_concurrent_tasks, w.last_heartbeat_at,
         w.created_at, w.updated_at,
         COALESCE(c.x, 0) AS x, COALESCE(c.y, 0) AS y, COALESCE(c.collapsed, false) AS collapsed
    FROM workspaces w LEFT JOIN canvas_layouts c ON c.workspace_id = w.id`;

/** Every workspace that is not removed, oldest first (stable for seeds that look up by name). */
export async function listWorkspaces(pool: Pool): Promise<WorkspaceRow[]> {
  const { rows } = await pool.query<WorkspaceRow>(
    `${SELECT_WORKSPACE} WHERE w.status <> 'removed' ORDER BY w.created_at, w.id`,
  );
  return rows;
}

export async function getWorkspace(pool: Pool, id: string): Promise<WorkspaceRow | null> {
  const { rows } = await pool.query<WorkspaceRow>(`${SELECT_WORKSPACE} WHERE w.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function liveWorkspaceExists(pool: Pool, id: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1 AND status <> 'removed') AS found",
    [id],
  );
  return rows[0].found;
}

export interface NewWorkspace {
  name: string;
  role: string | null;
  tier: number;
  runtime: string;
  parentId: string | null;
  agentCard: unknown;
  workspaceDir: string | null;
  workspaceAccess: string;
  budgetLimit: number | null;
  x: number;
  y: number;
}

/** Inserts the workspace (status provisioning) and its canvas layout in one transaction. */
export async function insertWorkspace(
  pool: Pool,
  input: NewWorkspace,
): Promise<{ id: string; awareness_namespace: string; workspace_access: string }> {
  const id = randomUUID();
  const awarenessNamespace = `workspace:${id}`;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO workspaces (id, name, role, tier, status, runtime, parent_id, agent_card, workspace_dir,
                               workspace_access, budget_limit, awareness_namespace)
       VALUES ($1, $2, $3, $4, 'provisioning', $5, $6, $7, $8, $9, $10, $11)`,
      [
        id,
        input.name,
        input.role,
        input.tier,
        input.runtime,
        input.parentId,
        input.agentCard === undefined ? null : JSON.stringify(input.agentCard),
        input.workspaceDir,
        input.workspaceAccess,
        input.budgetLimit,
        awarenessNamespace,
      ],
    );
    await client.query("INSERT INTO canvas_layouts (workspace_id, x, y) VALUES ($1, $2, $3)", [
      id,
      input.x,
      input.y,
    ]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return { id, awareness_namespace: awarenessNamespace, workspace_access: input.workspaceAccess };
}

/** Marks the workspace and all its descendants removed; returns the ids it removed (none if unknown). */
export async function removeWorkspaceTree(pool: Pool, id: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH RECURSIVE tree (id, depth) AS (
       SELECT id, 0 FROM workspaces WHERE id = $1
       UNION ALL
       SELECT w.id, tree.depth + 1 FROM workspaces w JOIN tree ON w.parent_id = tree.id WHERE tree.depth < 32
     )
     UPDATE workspaces SET status = 'removed', updated_at = now()
      WHERE id IN (SELECT id FROM tree) AND status <> 'removed'
     RETURNING id`,
    [id],
  );
  return rows.map((r) => r.id);
}
