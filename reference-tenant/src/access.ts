/**
 * CanCommunicate (docs/anchor.md#registry): a workspace may talk to itself, its siblings (same parent, or
 * both roots) and any ancestor or descendant (walking at most 32 levels). Unknown or malformed ids,
 * and datastore errors, mean "no" — this is an authorisation answer, never an error.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Pool } from "pg";
import { isUuid } from "./validate";

export const MAX_HIERARCHY_DEPTH = 32;

async function isAncestor(pool: Pool, ancestor: string, descendant: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>(
    `WITH RECURSIVE up (id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM workspaces WHERE id = $1
       UNION ALL
       SELECT w.id, w.parent_id, up.depth + 1 FROM workspaces w JOIN up ON w.id = up.parent_id
        WHERE up.depth < $3
     )
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $2 AND depth > 0) AS found`,
    [descendant, ancestor, MAX_HIERARCHY_DEPTH],
  );
  return rows[0].found;
}

export async function canCommunicate(
  pool: Pool,
  callerId: string,
  targetId: string,
  log?: FastifyBaseLogger,
): Promise<boolean> {
  if (!isUuid(callerId) || !isUuid(targetId)) return false;
  const caller = callerId.toLowerCase();
  const target = targetId.toLowerCase();
  if (caller === target) return true;
  try {
    const { rows } = await pool.query<{ id: string; parent_id: string | null }>(
      "SELECT id, parent_id FROM workspaces WHERE id = ANY($1::uuid[])",
      [[caller, target]],
    );
    const callerRow = rows.find((r) => r.id === caller);
    const targetRow = rows.find((r) => r.id === target);
    if (!callerRow || !targetRow) return false;
    if (callerRow.parent_id === targetRow.parent_id) return true; // siblings, or both roots
    return (await isAncestor(pool, caller, target)) || (await isAncestor(pool, target, caller));
  } catch (error) {
    log?.error({ err: error }, "canCommunicate: lookup failed");
    return false;
  }
}
