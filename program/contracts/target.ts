/**
 * What the seed and the replay runner are told about a running harness.
 * The Pulumi program (and `npm run replays:local`) builds it and passes it as JSON in the
 * HARNESS_TARGET environment variable. It carries secrets (admin tokens, database URLs): never print it.
 */
import { z } from "zod";
import type { EgressPolicy } from "./egress";
import type { EngineAccess } from "./engine";
import { checkContract } from "./problems";

export const TARGET_ENV = "HARNESS_TARGET";

export interface TenantTarget {
  /** Config name, e.g. "alpha". */
  name: string;
  /** Host header the edge routes to this tenant, e.g. "harness-tenant-alpha.localhost". */
  host: string;
  /** Value of MOLECULE_ORG_ID inside the tenant; callers send it as X-Molecule-Org-Id. */
  orgId: string;
  /** The tenant's ADMIN_TOKEN (secret). */
  adminToken: string;
  /**
   * This tenant's own postgres, reachable from the host at the engine's client address (loopback by
   * default), e.g. postgres://harness:…@127.0.0.1:49153/molecule
   */
  databaseUrl: string;
  /** Docker container name of the tenant, when it runs in Docker. */
  container?: string;
}

export interface HarnessTarget {
  /** Pulumi stack name (or "local" for the loopback tier); names reports and artifacts. */
  stack: string;
  /** Base URL of the edge (cf-proxy) on the host, e.g. http://127.0.0.1:8080. */
  edgeUrl: string;
  /** Alias host routed to tenants[0] (harness-tenant.localhost). */
  legacyHost: string;
  /** The cp-stub from the host, e.g. http://127.0.0.1:49160. */
  cpStubUrl: string;
  /** In config order; tenants[0] is the one the legacy host and legacy env names point at. */
  tenants: TenantTarget[];
  /** GIT_SHA the tenant image was built with, when the harness knows it (buildinfo replay compares). */
  expectedGitSha?: string;
  /**
   * X-Forwarded-Proto (and CF-Visitor scheme) the edge is configured to send (config edge.forwardedProto).
   * Absent means the default, "https" (what the real CDN sends); the edge-header-shape replay checks it.
   */
  edgeForwardedProto?: "http" | "https";
  /**
   * The images under test by role ("tenant": the tenant image ref; "cp-stub", "cf-proxy": image ids),
   * when the harness knows them; shown in report.html so a report says what it tested.
   */
  images?: Record<string, string>;
  /**
   * The egress sinkhole's container (its logs are the journal, program/contracts/egress.ts) and
   * `harness:egress`; absent where no sinkhole runs (the loopback tier): nothing is attributed.
   */
  egress?: EgressPolicy & { container: string };
  /** Every harness container name (logs are collected from these when a replay fails). */
  containers: string[];
  /** The engine the containers run on (`harness:engine`), when it is not Docker's default. */
  engine?: EngineAccess;
  /** Log files of processes that are not containers (the loopback tier), by name; copied into artifacts. */
  logFiles?: Record<string, string>;
  /** Folder for reports and failure artifacts (created if missing). */
  reportsDir: string;
}

const text = z.string();
const tenantTarget = z.looseObject({
  name: text,
  host: text,
  orgId: text,
  adminToken: z.string({ error: "must be a string (value not shown)" }),
  databaseUrl: z.string({ error: "must be a string (value not shown)" }),
  container: text.optional(),
});

/** The contract as a schema (extra keys pass: a kept stack's target may come from a newer program). */
export const harnessTargetSchema: z.ZodType<HarnessTarget> = z.looseObject({
  stack: text,
  edgeUrl: text,
  legacyHost: text,
  cpStubUrl: text,
  tenants: z.array(tenantTarget).min(1, { error: "must list at least one tenant" }),
  expectedGitSha: text.optional(),
  edgeForwardedProto: z.enum(["http", "https"]).optional(),
  images: z.record(z.string(), text).optional(),
  egress: z.looseObject({ mode: z.enum(["fail", "warn"]), allow: z.array(text), container: text }).optional(),
  containers: z.array(text),
  engine: z
    .looseObject({
      host: text.optional(),
      certPath: text.optional(),
      ca: text.optional(),
      cert: text.optional(),
      key: text.optional(),
    })
    .optional(),
  logFiles: z.record(z.string(), text).optional(),
  reportsDir: text,
});

/** Reads and checks HARNESS_TARGET against its schema; throws a message that says what is wrong. */
export function readTarget(env: NodeJS.ProcessEnv = process.env): HarnessTarget {
  const raw = env[TARGET_ENV];
  if (!raw)
    throw new Error(`${TARGET_ENV} is not set: run through the Pulumi program or \`npm run replays:local\`.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${TARGET_ENV} is not valid JSON: ${(error as Error).message}`);
  }
  return checkContract(harnessTargetSchema, parsed, TARGET_ENV);
}
