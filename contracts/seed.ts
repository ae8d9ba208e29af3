/**
 * What the seed produces: the server-assigned workspace ids, by tenant and role.
 * Printed as JSON on the seed's stdout; handed to the runner as HARNESS_SEED; exported as the `seed` output.
 */
export const SEED_ENV = "HARNESS_SEED";

export type SeedRole = "parent" | "child";

export interface SeedResult {
  /** e.g. { alpha: { parent: "<uuid>", child: "<uuid>" }, beta: { … } } — child's parent_id is parent. */
  tenants: Record<string, Record<SeedRole, string>>;
}

export function readSeed(env: NodeJS.ProcessEnv = process.env): SeedResult {
  const raw = env[SEED_ENV];
  if (!raw) throw new Error(`${SEED_ENV} is not set: the seed must run before the replays.`);
  const parsed = JSON.parse(raw) as SeedResult;
  if (typeof parsed !== "object" || parsed === null || typeof parsed.tenants !== "object") {
    throw new Error(`${SEED_ENV} must be {"tenants": {"<name>": {"parent": "<id>", "child": "<id>"}}}`);
  }
  return parsed;
}
