/**
 * The harness configuration (namespace `harness`), after parsing and validation. Every key, its
 * default and its meaning is documented in docs/pulumi.md; keep the two in sync.
 */
import type { EgressPolicy } from "../contracts/egress";
import type { SuiteSpec } from "../contracts/suites";
import type { EngineConfig } from "./engine";

/** A tenant as the program uses it (config `harness:tenants[]`, defaults applied). */
export interface TenantConfig {
  /** DNS-label safe name: container names, network aliases and the Host the edge routes on. */
  name: string;
  /** MOLECULE_ORG_ID of this tenant (default `harness-org-<name>`). */
  orgId: string;
  /** ADMIN_TOKEN from config (secret); absent → generated once per stack and kept in state. */
  adminToken?: string;
}

/** Where the tenant image comes from (config `harness:tenantImage`). */
export type TenantImageSource =
  /** The reference tenant in `tenant/`, bundled on the host and built locally. */
  | { kind: "reference" }
  /** A user's build context + Dockerfile (compose semantics: dockerfile relative to the context). */
  | {
      kind: "build";
      /** Absolute path of the build context. */
      context: string;
      /** Absolute path of the Dockerfile. */
      dockerfile: string;
      /** Extra build args (GIT_SHA is set from `gitSha`, never from here). */
      args: Record<string, string>;
      target?: string;
    }
  /** A prebuilt image, pulled (or found locally) once and kept. */
  | { kind: "image"; image: string };

/** The four images pulled from a registry (or present locally as stand-ins). */
export interface BaseImages {
  node: string;
  nginx: string;
  postgres: string;
  redis: string;
}

export interface EdgeConfig {
  /** Host port of the edge; 0 picks a free port (use it in CI). */
  port: number;
  /** Host address the edge port binds to (loopback by default). */
  bindAddress: string;
  /** X-Forwarded-Proto the edge sends (the real CDN terminates TLS: https). */
  forwardedProto: "http" | "https";
  readTimeoutSeconds: number;
  /** nginx size, e.g. "100m"; larger request bodies get 413. */
  maxBodySize: string;
}

export type RerunPolicy = "on-change" | "always";

export interface ReplaysConfig {
  /** As configured (relative to the repo root, or absolute); used on the runner's command line. */
  dir: string;
  /** Absolute path, for hashing. */
  absDir: string;
  include: string[];
  exclude: string[];
  timeoutSeconds: number;
  concurrency: number;
  rerun: RerunPolicy;
}

export type ImageBuilder = "BuilderV1" | "BuilderBuildKit";

/** Formats of the production env file `harness:production` points at (config-lint/production.ts). */
export const PRODUCTION_FORMATS = ["dotenv", "json", "yaml", "k8s", "ecs", "compose"] as const;
export type ProductionFormat = (typeof PRODUCTION_FORMATS)[number];

/**
 * The production tenant's environment the config coherence lint compares the harness tenants with
 * (config `harness:production`; `npm run lint:config`, and the preflight of `npm run harness`).
 */
export interface ProductionConfig {
  /** Absolute path of the file holding production's tenant environment. */
  path: string;
  /** Its format; undefined = detected from the file. */
  format?: ProductionFormat;
  /** The tenant's container (k8s), container definition (ECS) or service (compose) in it. */
  container?: string;
  /** Absolute path of the allow file; undefined = `harness.drift.yaml` in the repo root, if present. */
  allow?: string;
}

/** The tenant container's healthcheck: a Docker test array, or "image" for the image's own HEALTHCHECK. */
export type TenantHealthcheck = { test: string[] } | "image";

export interface HarnessConfig {
  project: string;
  stack: string;
  /** Absolute path of the repository (the directory holding index.ts). */
  repoRoot: string;
  tenants: TenantConfig[];
  tenantImage: TenantImageSource;
  tenantHealthcheck: TenantHealthcheck;
  /** Extra, non-secret env for every tenant container (cannot override a production layer). */
  tenantEnv: Record<string, string>;
  /** GIT_SHA build arg of a built tenant; what the buildinfo replay expects. */
  gitSha: string;
  /** False when the tenant is a prebuilt image and gitSha was not configured: nothing to expect. */
  gitShaKnown: boolean;
  baseImages: BaseImages;
  edge: EdgeConfig;
  replays: ReplaysConfig;
  cpStub: { publish: boolean };
  rateLimit: number;
  waitTimeoutSeconds: number;
  /** SECRETS_ENCRYPTION_KEY from config (secret); absent → generated once per stack. */
  encryptionKey?: string;
  /** Changing it forces the locally built images to rebuild (REBUILD=1); "" = no forcing. */
  rebuildNonce: string;
  imageBuilder: ImageBuilder;
  /** Keep the stack's built images on destroy (faster next boot) instead of removing them. */
  keepImages: boolean;
  /** Production's tenant environment, for the config coherence lint; absent = not configured. */
  production?: ProductionConfig;
  /**
   * The stack's own end-to-end suites, run after the replays in config order (contracts/suites.ts);
   * each cwd relative to the repo root, normalised: what the runner gets and the `suites` output shows.
   */
  suites: SuiteSpec[];
  /**
   * The Docker engine the stack runs on (config/engine.ts): Docker's defaults and loopback ports
   * unless `harness:engine` is set. The edge binds `edge.bindAddress`, which is `publishAddress`
   * when an engine is configured.
   */
  engine: EngineConfig;
  /** `harness:egress` (issue 14): what an outbound attempt caught by the sinkhole does to a replay. */
  egress: EgressPolicy;
}

export const DEFAULT_TENANTS = ["alpha", "beta"] as const;

export const DEFAULT_BASE_IMAGES: BaseImages = {
  node: "node:20-bookworm-slim",
  nginx: "nginx:1.27-alpine",
  postgres: "postgres:16-alpine",
  redis: "redis:7-alpine",
};

export const DEFAULT_EDGE: EdgeConfig = {
  port: 8080,
  bindAddress: "127.0.0.1",
  forwardedProto: "https",
  readTimeoutSeconds: 100,
  maxBodySize: "100m",
};

export const DEFAULT_REPLAYS = {
  dir: "replays",
  include: [] as string[],
  exclude: [] as string[],
  timeoutSeconds: 120,
  concurrency: 3,
  rerun: "on-change" as RerunPolicy,
};

export const DEFAULT_GIT_SHA = "harness";
export const DEFAULT_RATE_LIMIT = 1000;
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 120;
export const DEFAULT_IMAGE_BUILDER: ImageBuilder = "BuilderBuildKit";

/**
 * The healthcheck for a user-supplied tenant image: the anchor's probe (busybox wget is in the
 * alpine-based production image), against 127.0.0.1 so it never depends on name resolution.
 */
export const DEFAULT_USER_TENANT_HEALTHCHECK = [
  "CMD-SHELL",
  "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1",
];

/** Env the harness sets on every tenant: `tenantEnv` may not override these. */
export const MANAGED_TENANT_ENV = [
  "PORT",
  "PLATFORM_URL",
  "DATABASE_URL",
  "REDIS_URL",
  "MOLECULE_ENV",
  "MOLECULE_ORG_ID",
  "ADMIN_TOKEN",
  "SECRETS_ENCRYPTION_KEY",
  "CP_UPSTREAM_URL",
  "MOLECULE_CP_URL",
  "CP_PROVISION_URL",
  "CANVAS_PROXY_URL",
  "RATE_LIMIT",
  "MOLECULE_LLM_USAGE_URL",
  "MOLECULE_LLM_BASE_URL",
  "MOLECULE_LLM_ANTHROPIC_BASE_URL",
  "MOLECULE_LLM_USAGE_TOKEN",
  "MEMORY_PLUGIN_DISABLE",
] as const;

/** Every key of the `harness` namespace; anything else is rejected as unknown. */
export const CONFIG_KEYS = [
  "tenants",
  "tenantImage",
  "tenantEnv",
  "gitSha",
  "baseImages",
  "edge",
  "replays",
  "cpStub",
  "rateLimit",
  "waitTimeoutSeconds",
  "encryptionKey",
  "rebuildNonce",
  "imageBuilder",
  "keepImages",
  "production",
  "suites",
  "engine",
  "egress",
] as const;

export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Env var that overrides `rebuildNonce` (set by the one-shot runner for REBUILD=1). */
export const REBUILD_NONCE_ENV = "HARNESS_REBUILD_NONCE";
