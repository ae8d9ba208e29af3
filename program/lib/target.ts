/**
 * Builds what the seed and the runner are told about the running harness (program/contracts/target.ts) and
 * the host-side URLs of the stack outputs, from resolved values. Pure: index.ts feeds it Outputs.
 * Every address a client dials is the engine's `clientAddress` (127.0.0.1 for the local default):
 * ports are published on the engine's `publishAddress`, which a remote engine has on its own
 * machine, not on this one.
 */
import { isIP } from "node:net";
import { join } from "node:path";
import type { EngineAccess } from "../contracts/engine";
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

/**
 * What a client dials for the edge: the engine's client address when the edge binds the engine's
 * publish address (always, with `harness:engine`), else what its own bind address implies.
 */
export function edgeClientHost(
  edgeBindAddress: string,
  publishAddress: string,
  clientAddress: string,
): string {
  return edgeBindAddress === publishAddress ? clientHost(clientAddress) : clientHost(edgeBindAddress);
}

/**
 * URL a browser or curl uses for a tenant. With the edge on loopback, `http://<host>:<port>`:
 * `*.localhost` resolves to loopback and the edge routes on Host. Elsewhere (a remote engine) the
 * name resolves nowhere near it: the edge's own address, to be called with `Host: <host>`.
 */
export function tenantUrl(host: string, edgePort: number, edgeHost = "127.0.0.1"): string {
  const loopback = edgeHost === "[::1]" || edgeHost === "localhost" || edgeHost.startsWith("127.");
  return `http://${loopback ? host : edgeHost}:${edgePort}`;
}

/** A tenant database's URL from this machine: the engine's client address and the published port. */
export function databaseUrl(address: string, password: string, port: number): string {
  return `postgres://${POSTGRES_USER}:${encodeURIComponent(password)}@${clientHost(address)}:${port}/${POSTGRES_DB}?sslmode=disable`;
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
  /** Published port of the cp-stub, or undefined when it is not published. */
  cpStubPort: number | undefined;
  /** The engine's addresses (program/config/engine.ts); default: loopback, as without `harness:engine`. */
  publishAddress?: string;
  clientAddress?: string;
  /** How the runner reaches the engine for container logs; absent: Docker's defaults. */
  engine?: EngineAccess;
  tenants: ResolvedTenant[];
  expectedGitSha: string | undefined;
  /** config edge.forwardedProto; the edge-header-shape replay asserts what the tenant receives. */
  edgeForwardedProto?: "http" | "https";
  containers: string[];
}

export function buildHarnessTarget(input: TargetInputs): HarnessTarget {
  const client = input.clientAddress ?? "127.0.0.1";
  const edgeHost = edgeClientHost(input.edgeBindAddress, input.publishAddress ?? "127.0.0.1", client);
  return {
    stack: input.stack,
    edgeUrl: `http://${edgeHost}:${input.edgePort}`,
    legacyHost: LEGACY_TENANT_HOST,
    cpStubUrl: input.cpStubPort === undefined ? "" : httpUrl(client, input.cpStubPort),
    tenants: input.tenants.map((t) => ({
      name: t.name,
      host: t.host,
      orgId: t.orgId,
      adminToken: t.adminToken,
      databaseUrl: databaseUrl(client, t.postgresPassword, t.postgresPort),
      container: t.container,
    })),
    ...(input.expectedGitSha === undefined ? {} : { expectedGitSha: input.expectedGitSha }),
    ...(input.edgeForwardedProto === undefined ? {} : { edgeForwardedProto: input.edgeForwardedProto }),
    containers: [...input.containers],
    ...(input.engine?.host === undefined ? {} : { engine: input.engine }),
    reportsDir: reportsDir(input.repoRoot, input.stack),
  };
}
