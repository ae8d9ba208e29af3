/**
 * Builds what the seed and the runner are told about the running harness (contracts/target.ts) and
 * the host-side URLs of the stack outputs, from resolved values. Pure: index.ts feeds it Outputs.
 */
import { isIP } from "node:net";
import { join } from "node:path";
import { LEGACY_TENANT_HOST } from "../contracts/hosts";
import type { HarnessTarget } from "../contracts/target";
import { POSTGRES_DB, POSTGRES_USER } from "./naming";

/** The address a host-side client uses for a port bound to `bindAddress`. */
export function clientHost(bindAddress: string): string {
  if (bindAddress === "0.0.0.0" || bindAddress === "") return "127.0.0.1";
  if (bindAddress === "::") return "[::1]";
  return isIP(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
}

export function httpUrl(bindAddress: string, port: number): string {
  return `http://${clientHost(bindAddress)}:${port}`;
}

/** URL a browser or curl uses for a tenant: `*.localhost` resolves to loopback, the edge routes on Host. */
export function tenantUrl(host: string, edgePort: number): string {
  return `http://${host}:${edgePort}`;
}

export function loopbackDatabaseUrl(password: string, port: number): string {
  return `postgres://${POSTGRES_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${POSTGRES_DB}?sslmode=disable`;
}

/** Where the runner writes reports and failure artifacts for a stack. */
export function reportsDir(repoRoot: string, stack: string): string {
  return join(repoRoot, ".harness", "reports", stack);
}

export interface ResolvedTenant {
  name: string;
  host: string;
  orgId: string;
  adminToken: string;
  postgresPassword: string;
  postgresPort: number;
  container: string;
}

export interface TargetInputs {
  stack: string;
  repoRoot: string;
  edgeBindAddress: string;
  edgePort: number;
  /** Published loopback port of the cp-stub, or undefined when it is not published. */
  cpStubPort: number | undefined;
  tenants: ResolvedTenant[];
  expectedGitSha: string | undefined;
  /** config edge.forwardedProto; the edge-header-shape replay asserts what the tenant receives. */
  edgeForwardedProto?: "http" | "https";
  containers: string[];
}

export function buildHarnessTarget(input: TargetInputs): HarnessTarget {
  return {
    stack: input.stack,
    edgeUrl: httpUrl(input.edgeBindAddress, input.edgePort),
    legacyHost: LEGACY_TENANT_HOST,
    cpStubUrl: input.cpStubPort === undefined ? "" : httpUrl("127.0.0.1", input.cpStubPort),
    tenants: input.tenants.map((t) => ({
      name: t.name,
      host: t.host,
      orgId: t.orgId,
      adminToken: t.adminToken,
      databaseUrl: loopbackDatabaseUrl(t.postgresPassword, t.postgresPort),
      container: t.container,
    })),
    ...(input.expectedGitSha === undefined ? {} : { expectedGitSha: input.expectedGitSha }),
    ...(input.edgeForwardedProto === undefined ? {} : { edgeForwardedProto: input.edgeForwardedProto }),
    containers: [...input.containers],
    reportsDir: reportsDir(input.repoRoot, input.stack),
  };
}
