/**
 * The environment of a reference tenant on loopback: exactly what the Pulumi program gives a tenant
 * container (components/tenant.ts `tenantEnv`, the one list of managed variables), with only the
 * addresses that differ outside Docker replaced — ports on 127.0.0.1 instead of container names.
 */
import { tenantEnv } from "../components/tenant";

export interface LocalTenantEnvInput {
  port: number;
  canvasPort: number;
  databaseUrl: string;
  redisUrl: string;
  cpStubUrl: string;
  orgId: string;
  adminToken: string;
  encryptionKey: string;
  rateLimit: number;
  /** Reported by /buildinfo (a source run reads GIT_SHA from the environment). */
  gitSha: string;
}

export function localTenantEnv(input: LocalTenantEnvInput): Record<string, string> {
  const managed = tenantEnv({
    alias: "127.0.0.1",
    databaseUrl: input.databaseUrl,
    redisUrl: input.redisUrl,
    cpStubUrl: input.cpStubUrl,
    orgId: input.orgId,
    adminToken: input.adminToken,
    encryptionKey: input.encryptionKey,
    rateLimit: input.rateLimit,
    extraEnv: {},
  });
  const env: Record<string, string> = {};
  for (const entry of managed) {
    const eq = entry.indexOf("=");
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const api = `http://127.0.0.1:${input.port}`;
  return {
    ...env,
    // In a container these are fixed ports on the container's own address; here every process shares
    // the host's loopback, so each tenant gets free ports and binds 127.0.0.1 only.
    PORT: String(input.port),
    HOST: "127.0.0.1",
    PLATFORM_URL: api,
    CANVAS_PORT: String(input.canvasPort),
    CANVAS_HOST: "127.0.0.1",
    CANVAS_PROXY_URL: `http://127.0.0.1:${input.canvasPort}`,
    // The image bakes GIT_SHA at build time; a source run takes it from here.
    GIT_SHA: input.gitSha,
  };
}
