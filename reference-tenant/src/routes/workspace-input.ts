/** POST /workspaces body → a validated NewWorkspace (pure, unit-tested). Any `id` sent is ignored. */
import type { NewWorkspace } from "../db/workspaces";
import { isPlainObject, isUuid } from "../validate";

export const WORKSPACE_ACCESS = ["none", "read_only", "read_write"] as const;
const RUNTIME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** The anchor turns tier 0 (and an absent tier, Go's zero value) into tier 3. */
export const DEFAULT_TIER = 3;

export type ParsedWorkspace = { ok: true; value: NewWorkspace } | { ok: false; error: "payload" | "fields" };

function optional<T>(value: unknown, check: (v: unknown) => v is T): T | null | undefined {
  if (value === undefined || value === null) return null;
  return check(value) ? value : undefined; // undefined = present but invalid
}

const isString = (v: unknown): v is string => typeof v === "string";
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function parseNewWorkspace(body: unknown): ParsedWorkspace {
  if (!isPlainObject(body)) return { ok: false, error: "payload" };
  const fail = { ok: false, error: "fields" } as const;

  if (typeof body.name !== "string" || body.name.trim() === "" || body.name.length > 255) return fail;
  const role = optional(body.role, isString);
  const tierRaw = optional(
    body.tier,
    (v): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4,
  );
  const runtimeRaw = optional(body.runtime, isString);
  const parentRaw = optional(body.parent_id, isString);
  const dir = optional(body.workspace_dir, isString);
  const access = optional(body.workspace_access, (v): v is string => WORKSPACE_ACCESS.includes(v as never));
  const budget = optional(body.budget_limit, (v): v is number => isFiniteNumber(v) && v >= 0);
  const canvas = optional(body.canvas, isPlainObject);
  if ([role, tierRaw, runtimeRaw, parentRaw, dir, access, budget, canvas].includes(undefined)) return fail;

  // (every `undefined` — present but invalid — was rejected just above)
  const runtime = !runtimeRaw ? "langgraph" : runtimeRaw;
  if (!RUNTIME.test(runtime)) return fail;
  const parentId = !parentRaw ? null : parentRaw;
  if (parentId !== null && !isUuid(parentId)) return fail;
  const x = canvas?.x ?? 0;
  const y = canvas?.y ?? 0;
  if (!isFiniteNumber(x) || !isFiniteNumber(y)) return fail;

  return {
    ok: true,
    value: {
      name: body.name.trim(),
      role: role === "" ? null : (role ?? null),
      tier: !tierRaw ? DEFAULT_TIER : tierRaw,
      runtime,
      parentId: parentId?.toLowerCase() ?? null,
      agentCard: body.agent_card ?? null,
      workspaceDir: dir ?? null,
      workspaceAccess: access ?? "none",
      budgetLimit: budget ?? null,
      x,
      y,
    },
  };
}
