/**
 * What the seed produces: the server-assigned workspace ids, by tenant and role.
 * Printed as JSON on the seed's stdout; handed to the runner as HARNESS_SEED; exported as the `seed` output.
 */
import { z } from "zod";
import { checkContract } from "./problems";

export const SEED_ENV = "HARNESS_SEED";

export type SeedRole = "parent" | "child";

export interface SeedResult {
  /** e.g. { alpha: { parent: "<uuid>", child: "<uuid>" }, beta: { … } } — child's parent_id is parent. */
  tenants: Record<string, Record<SeedRole, string>>;
}

/** The contract as a schema: every tenant with a parent and a child id. */
export const seedResultSchema: z.ZodType<SeedResult> = z.looseObject({
  tenants: z.record(z.string(), z.looseObject({ parent: z.string().min(1), child: z.string().min(1) })),
});

/** Checks a seed result (JSON already decoded); `what` names where it came from. */
export function checkSeed(value: unknown, what: string): SeedResult {
  return checkContract(seedResultSchema, value, what);
}

export function readSeed(env: NodeJS.ProcessEnv = process.env): SeedResult {
  const raw = env[SEED_ENV];
  if (!raw) throw new Error(`${SEED_ENV} is not set: the seed must run before the replays.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${SEED_ENV} is not valid JSON: ${(error as Error).message}`);
  }
  return checkSeed(parsed, SEED_ENV);
}
