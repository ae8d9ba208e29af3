/**
 * The environment of a reference tenant on loopback: exactly what the Pulumi program gives a tenant
 * container (program/lib/tenant-env.ts `tenantEnv`, the one list of managed variables), with only the
 * addresses that differ outside Docker replaced — ports on 127.0.0.1 instead of container names.
 */
import { tenantEnvVars, type TenantEnvInput } from "../../program/lib/tenant-env";

export interface LocalTenantEnvInput extends Omit<TenantEnvInput, "alias" | "extraEnv"> {
  port: number;
  canvasPort: number;
  /** Reported by /buildinfo (a source run reads GIT_SHA from the environment). */
  gitSha: string;
}

export function localTenantEnv({
  port,
  canvasPort,
  gitSha,
  ...managed
}: LocalTenantEnvInput): Record<string, string> {
  return {
    ...tenantEnvVars({ ...managed, alias: "127.0.0.1", extraEnv: {} }),
    // In a container these are fixed ports on the container's own address; here every process shares
    // the host's loopback, so each tenant gets free ports and binds 127.0.0.1 only.
    PORT: String(port),
    HOST: "127.0.0.1",
    PLATFORM_URL: `http://127.0.0.1:${port}`,
    CANVAS_PORT: String(canvasPort),
    CANVAS_HOST: "127.0.0.1",
    CANVAS_PROXY_URL: `http://127.0.0.1:${canvasPort}`,
    // The image bakes GIT_SHA at build time; a source run takes it from here.
    GIT_SHA: gitSha,
  };
}
