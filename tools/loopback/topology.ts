/**
 * The harness topology on loopback, without Docker (the fast tier: `npm run replays:local`, and the
 * replay L4 tests): one real PostgreSQL per tenant, one shared Redis, the cp-stub, the reference
 * tenants (API + canvas, each tenant its own entrypoint process as in its image), and nginx running
 * the edge config rendered by cf-proxy with static 127.0.0.1 upstreams. Returns the HarnessTarget the
 * seed and the runner read, exactly as the Pulumi program builds it for Docker.
 *
 * Processes, not in-process apps: a tenant boots through its real entrypoint (config checks,
 * migrations, CP config refresh, the API/canvas supervisor), with its own event loop and its own
 * environment, as in production; a replay cannot pass because the test process shares state with it.
 *
 * Everything started is registered in the caller's Teardown at once, so a boot that fails half-way
 * or is interrupted leaves nothing behind.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderNginxConf } from "../../cf-proxy";
import { defaultOrgId, LEGACY_TENANT_HOST, tenantHost } from "../../program/contracts/hosts";
import type { HarnessTarget } from "../../program/contracts/target";
import { DEFAULT_EDGE, DEFAULT_RATE_LIMIT, DEFAULT_TENANTS } from "../../program/config/schema";
import { freePort } from "./free-port";
import { localTenantEnv } from "./local-tenant-env";
import { makeNginxPrefix, startNginx, type LoopbackNginx } from "./nginx";
import { startNodeService } from "./node-service";
import { startPostgres } from "./postgres";
import { startRedis } from "./redis";
import type { Teardown } from "./teardown";

const REPO_ROOT = resolve(__dirname, "..", "..");

export interface LocalTenant {
  name: string;
  host: string;
  orgId: string;
  adminToken: string;
  /** The tenant API, e.g. http://127.0.0.1:41234 (no edge in front). */
  apiUrl: string;
  /** The canvas server inside the tenant (only the API should talk to it). */
  canvasUrl: string;
  /** This tenant's own postgres. */
  databaseUrl: string;
  logFile: string;
}

export interface LocalTopologyOptions {
  /** Owned by the caller, who runs it on every path (also when this function throws). */
  teardown: Teardown;
  /** Tenant names in config order. Default: the program's default tenants. */
  tenants?: readonly string[];
  /** GIT_SHA every tenant reports; also the target's expectedGitSha. */
  gitSha: string;
  /** Process logs (kept after teardown, listed in target.logFiles). */
  logDir: string;
  reportsDir: string;
  /** Default "local". */
  stack?: string;
  /** RATE_LIMIT of every tenant. Default: the program's default. */
  rateLimit?: number;
  /** Default: the program's default (https). */
  forwardedProto?: "http" | "https";
  /**
   * Puts something between the edge and a tenant (the L4 tests' fault layers): receives the tenant
   * and returns the `127.0.0.1:<port>` the edge should send that tenant's traffic to.
   */
  interpose?: (tenant: LocalTenant) => Promise<string>;
  /** Changes the rendered edge config before nginx starts (L4: an edge with one rule broken). */
  edgeConfig?: (conf: string) => string;
  progress?: (line: string) => void;
  /** Checked between boot phases: an interrupt stops the boot at the next phase. */
  signal?: AbortSignal;
}

export interface LocalTopology {
  target: HarnessTarget;
  tenants: LocalTenant[];
  /** The edge's own config as rendered (before any `edgeConfig` change). */
  edgeConf: string;
  /** Restarts nginx on the same port with the rendered config, changed by `edgeConfig` if given. */
  restartEdge(edgeConfig?: (conf: string) => string): Promise<void>;
}

const secret = (bytes: number) => randomBytes(bytes).toString("base64url");

export async function startLocalTopology(options: LocalTopologyOptions): Promise<LocalTopology> {
  const { teardown, signal } = options;
  const progress = options.progress ?? (() => undefined);
  const names = [...(options.tenants ?? DEFAULT_TENANTS)];
  const logDir = resolve(options.logDir);
  mkdirSync(logDir, { recursive: true });
  const logFiles: Record<string, string> = {};
  const started = Date.now();
  const phase = (what: string) => {
    signal?.throwIfAborted();
    progress(`[local] ${what} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  };

  phase(`starting postgres ×${names.length}, redis, cp-stub`);
  const cpStubPort = await freePort();
  const cpStubUrl = `http://127.0.0.1:${cpStubPort}`;
  const [databases, redis] = await Promise.all([
    Promise.all(
      names.map(async (name) => {
        const pg = await startPostgres();
        teardown.add(`postgres-${name}`, pg.stop);
        logFiles[`postgres-${name}`] = pg.logFile;
        return pg;
      }),
    ),
    startRedis().then((r) => {
      teardown.add("redis", r.stop);
      logFiles.redis = r.logFile;
      return r;
    }),
    startNodeService({
      name: "cp-stub",
      entry: join(REPO_ROOT, "cp-stub", "src", "main.ts"),
      env: { PORT: String(cpStubPort), HOST: "127.0.0.1", CP_STUB_PUBLIC_URL: cpStubUrl },
      logFile: (logFiles["cp-stub"] = join(logDir, "cp-stub.log")),
      readyUrl: `${cpStubUrl}/healthz`,
    }).then((s) => teardown.add("cp-stub", s.stop)),
  ]);

  phase(`starting tenants ${names.join(", ")}`);
  // Per run, never hard-coded (as the program generates them per stack).
  const encryptionKey = randomBytes(32).toString("base64");
  const tenants = await Promise.all(
    names.map(async (name, i): Promise<LocalTenant> => {
      const [port, canvasPort] = [await freePort(), await freePort()];
      const tenant: LocalTenant = {
        name,
        host: tenantHost(name),
        orgId: defaultOrgId(name),
        adminToken: secret(24),
        apiUrl: `http://127.0.0.1:${port}`,
        canvasUrl: `http://127.0.0.1:${canvasPort}`,
        databaseUrl: databases[i].url,
        logFile: join(logDir, `tenant-${name}.log`),
      };
      const service = await startNodeService({
        name: `tenant ${name}`,
        entry: join(REPO_ROOT, "reference-tenant", "src", "entrypoint.ts"),
        env: localTenantEnv({
          port,
          canvasPort,
          databaseUrl: tenant.databaseUrl,
          redisUrl: redis.url,
          cpStubUrl,
          orgId: tenant.orgId,
          adminToken: tenant.adminToken,
          encryptionKey,
          rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
          gitSha: options.gitSha,
        }),
        logFile: tenant.logFile,
        readyUrl: `${tenant.apiUrl}/health`,
      });
      teardown.add(`tenant-${name}`, service.stop);
      logFiles[`tenant-${name}`] = tenant.logFile;
      return tenant;
    }),
  );

  phase("starting the edge (nginx)");
  const upstreams: string[] = [];
  for (const tenant of tenants) {
    upstreams.push(
      options.interpose ? await options.interpose(tenant) : tenant.apiUrl.replace(/^http:\/\//, ""),
    );
  }
  const edgePort = await freePort();
  const forwardedProto = options.forwardedProto ?? DEFAULT_EDGE.forwardedProto;
  const prefix = makeNginxPrefix();
  const accessLog = join(logDir, "edge-access.log");
  const edgeConf = renderNginxConf({
    tenants: names.map((name, i) => ({ name, upstream: upstreams[i] })),
    listen: `127.0.0.1:${edgePort}`,
    forwardedProto,
    resolver: null,
    pidPath: join(prefix, "nginx.pid"),
    accessLog,
  });
  let edge: LoopbackNginx | null = null;
  const startEdge = async (change?: (conf: string) => string) => {
    // startNginx removes its prefix on stop; each start gets a fresh one (pid path stays inside it).
    const edgePrefix = edge === null ? prefix : makeNginxPrefix();
    const conf = edgeConf.replaceAll(join(prefix, "nginx.pid"), join(edgePrefix, "nginx.pid"));
    edge = await startNginx(change ? change(conf) : conf, [edgePort], edgePrefix);
    logFiles["edge-errors"] = edge.errorLog;
  };
  await startEdge(options.edgeConfig);
  teardown.add("edge", async () => {
    await edge?.stop();
    edge = null;
  });
  logFiles["edge-access"] = accessLog;
  phase("topology up");

  const target: HarnessTarget = {
    stack: options.stack ?? "local",
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    legacyHost: LEGACY_TENANT_HOST,
    cpStubUrl,
    tenants: tenants.map((t) => ({
      name: t.name,
      host: t.host,
      orgId: t.orgId,
      adminToken: t.adminToken,
      databaseUrl: t.databaseUrl,
    })),
    expectedGitSha: options.gitSha,
    edgeForwardedProto: forwardedProto,
    containers: [],
    logFiles,
    reportsDir: resolve(options.reportsDir),
  };
  return {
    target,
    tenants,
    edgeConf,
    async restartEdge(change) {
      await edge?.stop();
      await startEdge(change);
    },
  };
}
