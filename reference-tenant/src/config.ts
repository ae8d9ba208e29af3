/**
 * Environment → typed, validated tenant configuration (docs/anchor.md#layer-switches). Pure: no I/O.
 * Every problem is collected and reported at once, so a misconfigured container says everything
 * that is wrong in one boot attempt.
 */
import { resolveGitSha } from "./build-info";
import { parseHttpUrl } from "./validate";

/** The production CP the anchor defaults to; the harness always overrides it (tests must too). */
export const DEFAULT_CP_URL = "https://api.moleculesai.app";
export const DEFAULT_DATABASE_URL = "postgres://dev:dev@localhost:5432/molecule?sslmode=disable";
export const DEFAULT_REDIS_URL = "redis://localhost:6379";

/**
 * Env vars a managed tenant receives (docs/anchor.md#later-additions); accepted and handed to provisioning.
 */
export const LLM_ENV_KEYS = [
  "MOLECULE_LLM_USAGE_TOKEN",
  "MOLECULE_LLM_USAGE_URL",
  "MOLECULE_LLM_BASE_URL",
  "MOLECULE_LLM_ANTHROPIC_BASE_URL",
] as const;

export interface TenantConfig {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  platformUrl: string;
  /** Trimmed MOLECULE_ORG_ID; "" = not a SaaS tenant (guard off, no CP provisioning). */
  orgId: string;
  /** RFC-1918 URLs are allowed at /registry/register (workspaces live on the tenant's VPC). */
  saasMode: boolean;
  /** Mounts /cp/* when set. */
  cpUpstreamUrl: URL | null;
  /** Mounts the canvas fallback and enables the same-origin canvas bypass when set. */
  canvasProxyUrl: URL | null;
  adminToken: string;
  moleculeEnv: string;
  production: boolean;
  /** development/dev with no ADMIN_TOKEN: auth fails open and rate limiting is off. */
  devMode: boolean;
  /** 32-byte key; required under production. */
  secretsKey: Buffer | null;
  /** Requests per minute per client IP; 0 = unlimited. */
  rateLimitPerMinute: number;
  corsOrigins: string[];
  /** MOLECULE_CP_URL: base for the boot-time config refresh. */
  cpConfigUrl: string;
  /** CP_PROVISION_URL (else MOLECULE_CP_URL): base for workspace provisioning. */
  cpProvisionUrl: string;
  provisionSharedSecret: string;
  provisionTimeoutMs: number;
  /** How long boot keeps retrying postgres and redis before it gives up. */
  bootTimeoutMs: number;
  gitSha: string;
  /** GET /admin/workspaces/:id/test-token is served (never under production unless forced). */
  testTokensEnabled: boolean;
  llmEnv: Partial<Record<(typeof LLM_ENV_KEYS)[number], string>>;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadConfigOptions {
  /** GIT_SHA baked into the image (see build-info.ts); wins over the environment. */
  bakedGitSha?: string | null;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): TenantConfig {
  const problems: string[] = [];
  const str = (key: string): string => (env[key] ?? "").trim();

  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = str(key);
    if (raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const optionalUrl = (key: string): URL | null => {
    const raw = str(key);
    if (raw === "") return null;
    const url = parseHttpUrl(raw);
    if (!url) problems.push(`${key} must be an http(s) URL with a host (got "${raw}")`);
    return url;
  };

  const baseUrl = (key: string, value: string): string => {
    if (!parseHttpUrl(value)) problems.push(`${key} must be an http(s) URL with a host (got "${value}")`);
    return value.replace(/\/+$/, "");
  };

  const moleculeEnv = str("MOLECULE_ENV").toLowerCase();
  const production = moleculeEnv === "production" || moleculeEnv === "prod";
  const adminToken = str("ADMIN_TOKEN");
  const devMode = adminToken === "" && (moleculeEnv === "development" || moleculeEnv === "dev");
  const port = int("PORT", 8080, 0, 65535);
  const orgId = str("MOLECULE_ORG_ID");

  const deployMode = str("MOLECULE_DEPLOY_MODE").toLowerCase();
  const saasMode = deployMode === "" ? orgId !== "" : deployMode === "saas";

  const rawKey = str("SECRETS_ENCRYPTION_KEY");
  const secretsKey = decodeSecretsKey(rawKey);
  if (production && rawKey === "") {
    problems.push(
      "SECRETS_ENCRYPTION_KEY is required when MOLECULE_ENV=production (32 bytes: base64 or 32 raw characters)",
    );
  } else if (production && secretsKey === null) {
    problems.push(
      `SECRETS_ENCRYPTION_KEY must be 32 bytes (base64 of 32 bytes, or 32 raw characters) when MOLECULE_ENV=production; got ${Buffer.byteLength(rawKey)} characters that decode to neither`,
    );
  }

  const cpConfigUrl = baseUrl("MOLECULE_CP_URL", str("MOLECULE_CP_URL") || DEFAULT_CP_URL);
  const cpProvisionRaw = str("CP_PROVISION_URL");

  const logLevel = str("LOG_LEVEL").toLowerCase() || "info";
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);

  const rateLimit = int("RATE_LIMIT", 600, 1, 1_000_000);
  const host = str("HOST") || "0.0.0.0";

  const config: TenantConfig = {
    host,
    port,
    databaseUrl: str("DATABASE_URL") || DEFAULT_DATABASE_URL,
    redisUrl: str("REDIS_URL") || DEFAULT_REDIS_URL,
    platformUrl: str("PLATFORM_URL") || `http://host.docker.internal:${port}`,
    orgId,
    saasMode,
    cpUpstreamUrl: optionalUrl("CP_UPSTREAM_URL"),
    canvasProxyUrl: optionalUrl("CANVAS_PROXY_URL"),
    adminToken,
    moleculeEnv,
    production,
    devMode,
    secretsKey,
    rateLimitPerMinute: devMode ? 0 : rateLimit,
    corsOrigins: (str("CORS_ORIGINS") || "http://localhost:3000,http://localhost:3001")
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== ""),
    cpConfigUrl,
    cpProvisionUrl: cpProvisionRaw ? baseUrl("CP_PROVISION_URL", cpProvisionRaw) : cpConfigUrl,
    provisionSharedSecret: str("MOLECULE_CP_SHARED_SECRET") || str("PROVISION_SHARED_SECRET"),
    provisionTimeoutMs: int("CP_PROVISION_TIMEOUT_MS", 15_000, 100, 600_000),
    bootTimeoutMs: int("BOOT_DEPENDENCY_TIMEOUT_MS", 30_000, 0, 600_000),
    gitSha: resolveGitSha(options.bakedGitSha ?? null, env),
    testTokensEnabled: str("MOLECULE_ENABLE_TEST_TOKENS") === "1" || !production,
    llmEnv: Object.fromEntries(LLM_ENV_KEYS.filter((k) => str(k) !== "").map((k) => [k, str(k)])),
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * The anchor's key rule: base64 that decodes to exactly 32 bytes, else 32 raw characters.
 * Returns null when neither holds.
 */
export function decodeSecretsKey(raw: string): Buffer | null {
  const value = raw.trim();
  if (value === "") return null;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
    const decoded = Buffer.from(value, "base64");
    if (decoded.length === 32) return decoded;
  }
  const rawBytes = Buffer.from(value, "utf8");
  return rawBytes.length === 32 ? rawBytes : null;
}

/** One line per layer, for the boot log: what this tenant actually switched on. */
export function describeLayers(config: TenantConfig): Record<string, string | boolean> {
  return {
    tenant_guard: config.orgId !== "",
    cp_proxy: config.cpUpstreamUrl?.origin ?? false,
    canvas_proxy: config.canvasProxyUrl?.origin ?? false,
    strict_auth: config.adminToken !== "",
    production: config.production,
    dev_mode: config.devMode,
    rate_limit_per_minute: config.rateLimitPerMinute === 0 ? "unlimited" : String(config.rateLimitPerMinute),
    git_sha: config.gitSha,
  };
}
