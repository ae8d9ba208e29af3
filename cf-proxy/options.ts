/**
 * Options of the cf-proxy edge and their validation. Pure: no I/O, so the Pulumi program can merge
 * `edgeOptionProblems()` into its one config error message before any resource is registered.
 */
import { LEGACY_TENANT_HOST, TENANT_NAME_PATTERN, tenantHost } from "../program/contracts/hosts";

export interface EdgeTenant {
  /** Tenant name (`TENANT_NAME_PATTERN`); served on `harness-tenant-<name>.localhost`. */
  name: string;
  /**
   * `host:port` nginx proxies to: a container name or alias on the stack's network
   * (`"tenant-alpha:8080"`, resolved per request through `resolver`), or an address on loopback
   * (`"127.0.0.1:41234"`, the no-Docker test tier). No scheme, no path.
   */
  upstream: string;
}

export interface EdgeOptions {
  /** Tenants in order; the FIRST one also answers on the legacy host `harness-tenant.localhost`. */
  tenants: readonly EdgeTenant[];
  /** nginx `listen` address. Default `"8080"` (the container port); tests use `"127.0.0.1:<port>"`. */
  listen?: string;
  /** `X-Forwarded-Proto` and `CF-Visitor` scheme sent to tenants. Default `"https"`, as the real CDN. */
  forwardedProto?: "http" | "https";
  /** Upstream read (and send) timeout in whole seconds; over it the client gets 504. Default 100 (the CF tunnel's). */
  readTimeoutSeconds?: number;
  /** Request body cap, nginx size syntax (`"100m"`, `"64k"`, `"0"` = no cap); over it the client gets 413. Default `"100m"`. */
  maxBodySize?: string;
  /**
   * DNS server for upstream names, `ip` or `ip:port`. Default `"127.0.0.11"` (Docker's embedded DNS),
   * queried per request with a short cache (`resolverValidSeconds`) so a replaced tenant container's
   * new IP is found again. `null`: no resolver, upstreams are resolved once at start (loopback tier).
   */
  resolver?: string | null;
  /** How long nginx caches a resolved upstream address, in whole seconds. Default 1. Ignored without resolver. */
  resolverValidSeconds?: number;
  /** Absolute path of nginx's pid file; the image's healthcheck probes it. Default `/tmp/nginx.pid`. */
  pidPath?: string;
  /**
   * Access log file (one JSON line per request). Default `/dev/stdout` (the container's log). `null`:
   * off. Tests give a file: nginx cannot open /dev/stdout when stdout is a socket, as under Node's spawn.
   */
  accessLog?: string | null;
  /** `worker_connections` of the single worker (a proxied WebSocket uses two). Default 1024. */
  workerConnections?: number;
}

/** Every option filled in, after validation. */
export type ResolvedEdgeOptions = Required<Omit<EdgeOptions, "tenants" | "resolver" | "accessLog">> & {
  tenants: readonly EdgeTenant[];
  resolver: string | null;
  accessLog: string | null;
};

export const EDGE_DEFAULTS = {
  listen: "8080",
  forwardedProto: "https",
  readTimeoutSeconds: 100,
  maxBodySize: "100m",
  resolver: "127.0.0.11",
  resolverValidSeconds: 1,
  pidPath: "/tmp/nginx.pid",
  accessLog: "/dev/stdout",
  workerConnections: 1024,
} as const satisfies Omit<ResolvedEdgeOptions, "tenants">;

const PORT = String.raw`([1-9][0-9]{0,4})`;
const IPV4 = String.raw`((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`;
// Loose on purpose (nginx re-checks it); tight enough that nothing but hex, ':' and '.' reaches the file.
const IPV6 = String.raw`\[[0-9A-Fa-f:.]{2,45}\]`;
const DNS_NAME = String.raw`([A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*`;

const LISTEN_PATTERN = new RegExp(`^((${IPV4}|${IPV6}|\\*):)?${PORT}$`);
const UPSTREAM_PATTERN = new RegExp(`^(${IPV4}|${IPV6}|${DNS_NAME}):${PORT}$`);
const RESOLVER_PATTERN = new RegExp(`^(${IPV4}|${IPV6})(:${PORT})?$`);
/** nginx size syntax: bytes, or k/m/g suffix; 0 switches the cap off. Bounded so nginx never overflows. */
const SIZE_PATTERN = /^[0-9]{1,12}[kKmMgG]?$/;
/** Characters nginx and a shell both take literally; a pid path also lands in the healthcheck command. */
export const PID_PATH_PATTERN = /^\/[A-Za-z0-9._/-]+$/;

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

function checkPort(what: string, address: string, problems: string[]): void {
  const port = portOf(address);
  if (port < 1 || port > 65535)
    problems.push(`${what}: port ${port} is out of range 1-65535 (got "${address}")`);
}

function checkPositiveInteger(what: string, value: unknown, max: number, problems: string[]): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    problems.push(`${what} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)})`);
  }
}

function tenantProblems(tenants: unknown, problems: string[]): void {
  if (!Array.isArray(tenants) || tenants.length === 0) {
    problems.push(
      "tenants must list at least one tenant ({ name, upstream }); the edge has nothing to route to",
    );
    return;
  }
  const hosts = new Map<string, string>([[LEGACY_TENANT_HOST, "(legacy alias of the first tenant)"]]);
  const upstreams = new Map<string, string>();
  tenants.forEach((tenant: Partial<EdgeTenant> | undefined, index) => {
    const where = `tenants[${index}]`;
    const name = tenant?.name;
    const upstream = tenant?.upstream;
    if (typeof name !== "string" || !TENANT_NAME_PATTERN.test(name)) {
      problems.push(
        `${where}.name ${JSON.stringify(name)} is not a tenant name: use lowercase letters, digits and '-', ` +
          `starting with a letter, at most 24 characters (${TENANT_NAME_PATTERN})`,
      );
    } else {
      const host = tenantHost(name);
      const clash = hosts.get(host);
      if (clash !== undefined)
        problems.push(`${where}.name "${name}": host ${host} is already served by ${clash}`);
      hosts.set(host, `tenant "${name}"`);
    }
    if (typeof upstream !== "string" || !UPSTREAM_PATTERN.test(upstream)) {
      problems.push(
        `${where}.upstream ${JSON.stringify(upstream)} must be "host:port" with no scheme or path ` +
          `(e.g. "tenant-alpha:8080" or "127.0.0.1:41234")`,
      );
    } else {
      checkPort(`${where}.upstream`, upstream, problems);
      // Two tenants on one upstream would make every isolation check pass vacuously.
      const clash = upstreams.get(upstream.toLowerCase());
      if (clash !== undefined)
        problems.push(`${where}.upstream "${upstream}" is already the upstream of ${clash}`);
      upstreams.set(upstream.toLowerCase(), `tenant "${String(name)}"`);
    }
  });
}

/** Every problem with `options`, as sentences that say how to fix them; empty when valid. */
export function edgeOptionProblems(options: EdgeOptions): string[] {
  const problems: string[] = [];
  tenantProblems(options.tenants, problems);
  const o = { ...EDGE_DEFAULTS, ...withoutUndefined(options) } as Record<string, unknown>;

  if (typeof o.listen !== "string" || !LISTEN_PATTERN.test(o.listen)) {
    problems.push(`listen ${JSON.stringify(o.listen)} must be "<port>" or "<ipv4|[ipv6]|*>:<port>"`);
  } else checkPort("listen", o.listen, problems);

  if (o.forwardedProto !== "http" && o.forwardedProto !== "https") {
    problems.push(`forwardedProto ${JSON.stringify(o.forwardedProto)} must be "http" or "https"`);
  }
  checkPositiveInteger("readTimeoutSeconds", o.readTimeoutSeconds, 86_400, problems);
  if (typeof o.maxBodySize !== "string" || !SIZE_PATTERN.test(o.maxBodySize)) {
    problems.push(
      `maxBodySize ${JSON.stringify(o.maxBodySize)} must use nginx size syntax: digits with an optional ` +
        `k, m or g suffix ("100m", "64k", "0" for no cap)`,
    );
  }
  if (o.resolver !== null) {
    if (typeof o.resolver !== "string" || !RESOLVER_PATTERN.test(o.resolver)) {
      problems.push(
        `resolver ${JSON.stringify(o.resolver)} must be an IP address with an optional port ` +
          `("127.0.0.11", "127.0.0.1:5353", "[::1]:53"), or null for static upstreams`,
      );
    } else if (o.resolver.includes("]:") || (!o.resolver.startsWith("[") && o.resolver.includes(":"))) {
      checkPort("resolver", o.resolver, problems);
    }
  }
  checkPositiveInteger("resolverValidSeconds", o.resolverValidSeconds, 3600, problems);
  if (typeof o.pidPath !== "string" || !PID_PATH_PATTERN.test(o.pidPath)) {
    problems.push(
      `pidPath ${JSON.stringify(o.pidPath)} must be an absolute path of letters, digits, '.', '_', '-', '/'`,
    );
  }
  if (o.accessLog !== null && (typeof o.accessLog !== "string" || !PID_PATH_PATTERN.test(o.accessLog))) {
    problems.push(
      `accessLog ${JSON.stringify(o.accessLog)} must be an absolute path of letters, digits, '.', '_', '-', '/', or null`,
    );
  }
  checkPositiveInteger("workerConnections", o.workerConnections, 65_535, problems);
  if (typeof o.workerConnections === "number" && o.workerConnections < 16) {
    problems.push(
      `workerConnections must be at least 16 (got ${o.workerConnections}): nginx needs some for itself`,
    );
  }
  return problems;
}

function withoutUndefined(options: EdgeOptions): Partial<EdgeOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Fills in defaults; throws one Error listing every problem when the options are invalid. */
export function resolveEdgeOptions(options: EdgeOptions): ResolvedEdgeOptions {
  const problems = edgeOptionProblems(options);
  if (problems.length > 0) {
    throw new Error(`invalid cf-proxy edge options:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return { ...EDGE_DEFAULTS, ...withoutUndefined(options) } as ResolvedEdgeOptions;
}
