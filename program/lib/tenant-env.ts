/**
 * The tenant's environment as the harness gives it, from resolved values: pure, so the program
 * (components/tenant.ts), the config coherence lint, the loopback tier and the bench's baseline all
 * compute the very same variables.
 */
import { PORTS } from "./naming";

/** The stub accepts any usage token; the tenant's managed-mode boot check only needs one set. */
export const LLM_USAGE_TOKEN = "harness-llm-usage-token";

export interface TenantEnvInput {
  alias: string;
  databaseUrl: string;
  redisUrl: string;
  cpStubUrl: string;
  orgId: string;
  adminToken: string;
  encryptionKey: string;
  rateLimit: number;
  extraEnv: Record<string, string>;
}

/** The tenant's environment (pure; values resolved). Extra env first: the managed keys always win. */
export function tenantEnvVars(v: TenantEnvInput): Record<string, string> {
  return {
    ...v.extraEnv,
    PORT: String(PORTS.tenant),
    PLATFORM_URL: `http://${v.alias}:${PORTS.tenant}`,
    DATABASE_URL: v.databaseUrl,
    REDIS_URL: v.redisUrl,
    MOLECULE_ENV: "production",
    MOLECULE_ORG_ID: v.orgId,
    ADMIN_TOKEN: v.adminToken,
    SECRETS_ENCRYPTION_KEY: v.encryptionKey,
    CP_UPSTREAM_URL: v.cpStubUrl,
    MOLECULE_CP_URL: v.cpStubUrl,
    CP_PROVISION_URL: v.cpStubUrl,
    // The canvas server inside the same container (the entrypoint's default, made explicit).
    CANVAS_PROXY_URL: "http://localhost:3000",
    RATE_LIMIT: String(v.rateLimit),
    MOLECULE_LLM_USAGE_URL: `${v.cpStubUrl}/llm/usage`,
    MOLECULE_LLM_BASE_URL: `${v.cpStubUrl}/llm/openai/v1`,
    MOLECULE_LLM_ANTHROPIC_BASE_URL: `${v.cpStubUrl}/llm/anthropic/v1`,
    MOLECULE_LLM_USAGE_TOKEN: LLM_USAGE_TOKEN,
    // The memory sidecar needs pgvector, which plain postgres lacks.
    MEMORY_PLUGIN_DISABLE: "1",
  };
}

/** The same as the container's `envs` list, sorted so the input is stable. */
export function tenantEnv(v: TenantEnvInput): string[] {
  const env = tenantEnvVars(v);
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key]}`);
}
