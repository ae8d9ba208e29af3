/**
 * The anchor-semantics baseline, measured in the same bench as ours: the harness's containers on the
 * same images (the local base images of the e2e config, and the cp-stub, tenant and cf-proxy images
 * the warm-up built and kept), in the anchor's compose shape (anchor-compose.ts), run by
 * docker-compose: the anchor's own mechanism (its `depends_on: service_healthy` gates, its
 * `down -v`), so the waves and their waits are compose's, not a re-implementation of ours.
 *
 * One baseline run: `docker-compose up -d --force-recreate --remove-orphans` (the anchor's final
 * up.sh; compose 1.29 has no `--wait`, so the bench waits itself), then every container with a
 * healthcheck healthy and the edge answering /health for every tenant, polled every 50 ms: that is
 * its boot. Then `docker-compose down -v --remove-orphans` (the anchor's down.sh): its destroy. Then
 * nothing of the project may be left. Never throws: a failure is the record's `error`.
 */
import type Docker from "dockerode";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { EDGE_CONFIG_PATH, EDGE_CONTAINER_PORT, renderNginxConf } from "../../cf-proxy";
import { tenantEnvVars } from "../../program/lib/tenant-env";
import { tenantHost } from "../../program/contracts/hosts";
import { parseHarnessConfig } from "../../program/config/parse";
import type { HarnessConfig } from "../../program/config/schema";
import { tailLogs } from "../../program/lib/docker-api/logs";
import { edgeOptions } from "../../program/config/edge";
import { LABEL_ROLE, LABEL_STACK, PORTS, POSTGRES_DB, POSTGRES_USER } from "../../program/lib/naming";
import { anchorCompose, SERVICE, type AnchorImages, type ProbeTiming, ANCHOR_TIMING } from "./anchor-compose";
import type { DockerEventLog } from "./docker-events";
import { COMPOSE } from "./preflight";
import { containerSpans, type Mark, type Timeline } from "./timeline";

const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";
const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";
const POLL_MS = 50;
/** docker-compose up/down may take this long before the bench gives up on it. */
const COMPOSE_TIMEOUT_MS = 5 * 60_000;

/** The e2e stack config (as preflight reads it), parsed and validated as the program does. */
export function harnessConfigOf(
  raw: Record<string, unknown>,
  ctx: { project: string; stack: string; repoRoot: string },
): HarnessConfig {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith("harness:")) continue;
    values[key.slice("harness:".length)] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return parseHarnessConfig(values, ctx);
}

export interface BaselineSetup {
  project: string;
  /** `harness.stack` label of the baseline's objects. */
  label: string;
  /** `harness.stack` label of the bench stack whose kept images the baseline runs. */
  stackLabel: string;
  dir: string;
  composeFile: string;
  networkName: string;
  cfg: HarnessConfig;
  edgePort: number;
  cpStubPort: number;
  secrets: {
    encryptionKey: string;
    tenants: Record<string, { adminToken: string; postgresPassword: string }>;
  };
  /** Anonymous volumes seen on the baseline's containers: the clean-up proves they are gone. */
  volumes: Set<string>;
  /** Whether the project may hold containers (an up started since the last clean down). */
  mayHoldResources: boolean;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The baseline's project, directory, ports and secrets (generated once per bench, like the anchor's up.sh per run). */
export async function prepareBaseline(opts: {
  cfg: HarnessConfig;
  stackName: string;
  stackLabel: string;
}): Promise<BaselineSetup> {
  const project = `${opts.stackName}-anchor`;
  const dir = mkdtempSync(join(tmpdir(), `bench-${project}-`));
  const bind = opts.cfg.edge.bindAddress;
  const tenants: BaselineSetup["secrets"]["tenants"] = {};
  for (const t of opts.cfg.tenants) {
    tenants[t.name] = {
      adminToken: t.adminToken ?? randomBytes(32).toString("base64url"),
      postgresPassword: randomBytes(24).toString("hex"),
    };
  }
  return {
    project,
    label: `harness/${project}`,
    stackLabel: opts.stackLabel,
    dir,
    composeFile: join(dir, "compose.yml"),
    networkName: `${project}-net`,
    cfg: opts.cfg,
    edgePort: await freePort(bind),
    cpStubPort: await freePort("127.0.0.1"),
    secrets: { encryptionKey: opts.cfg.encryptionKey ?? randomBytes(32).toString("base64"), tenants },
    volumes: new Set(),
    mayHoldResources: false,
  };
}

/** The newest tagged image per role labelled for the bench stack (what its last `up` built or kept). */
async function keptImages(docker: Docker, stackLabel: string): Promise<Record<string, string>> {
  const images = await docker.listImages({ filters: { label: [`${LABEL_STACK}=${stackLabel}`] } });
  const newest = new Map<string, { tag: string; created: number }>();
  for (const image of images) {
    const role = image.Labels?.[LABEL_ROLE];
    const tag = (image.RepoTags ?? []).find((t) => t !== "<none>:<none>");
    if (!role || !tag) continue;
    const seen = newest.get(role);
    if (!seen || image.Created > seen.created) newest.set(role, { tag, created: image.Created });
  }
  return Object.fromEntries([...newest].map(([role, v]) => [role, v.tag]));
}

async function imageHealthcheck(docker: Docker, ref: string): Promise<string[] | undefined> {
  const info = await docker.getImage(ref).inspect();
  const test = (info.Config as { Healthcheck?: { Test?: string[] } } | undefined)?.Healthcheck?.Test;
  return test && test.length > 0 && test[0] !== "NONE" ? test : undefined;
}

/** Resolves the images and probes and writes compose.yml and nginx.conf; returns the images used. */
async function writeCompose(docker: Docker, setup: BaselineSetup): Promise<AnchorImages> {
  const cfg = setup.cfg;
  const kept = await keptImages(docker, setup.stackLabel);
  const tenantImage = cfg.tenantImage.kind === "image" ? cfg.tenantImage.image : kept.tenant;
  const missing = ["cp-stub", "cf-proxy", ...(cfg.tenantImage.kind === "image" ? [] : ["tenant"])].filter(
    (role) => !kept[role],
  );
  if (missing.length > 0 || !tenantImage)
    throw new Error(
      `the images the warm-up built and kept are missing (role ${missing.join(", ")}, label ${LABEL_STACK}=${setup.stackLabel})`,
    );
  const images: AnchorImages = {
    postgres: cfg.baseImages.postgres,
    redis: cfg.baseImages.redis,
    cpStub: kept["cp-stub"],
    tenant: tenantImage,
    cfProxy: kept["cf-proxy"],
  };
  const cpStubProbe = await imageHealthcheck(docker, images.cpStub);
  const tenantProbe =
    cfg.tenantHealthcheck === "image"
      ? await imageHealthcheck(docker, images.tenant)
      : cfg.tenantHealthcheck.test;
  if (!cpStubProbe || !tenantProbe)
    throw new Error(
      `the ${cpStubProbe ? "tenant" : "cp-stub"} image has no HEALTHCHECK for the baseline to time`,
    );

  const nginxConf = join(setup.dir, "nginx.conf");
  writeFileSync(nginxConf, renderNginxConf(edgeOptions(cfg.tenants, cfg.edge)), { mode: 0o644 });
  const cpStubUrl = `http://${SERVICE.cpStub}:${PORTS.cpStub}`;
  const compose = anchorCompose({
    label: setup.label,
    networkName: setup.networkName,
    images,
    probes: { cpStub: cpStubProbe, tenant: tenantProbe },
    tenants: cfg.tenants.map((t) => {
      const secrets = setup.secrets.tenants[t.name];
      return {
        name: t.name,
        postgresPassword: secrets.postgresPassword,
        env: tenantEnvVars({
          alias: SERVICE.tenant(t.name),
          databaseUrl: `postgres://${POSTGRES_USER}:${encodeURIComponent(secrets.postgresPassword)}@${SERVICE.postgres(t.name)}:${PORTS.postgres}/${POSTGRES_DB}?sslmode=disable`,
          redisUrl: `redis://${SERVICE.redis}:${PORTS.redis}`,
          cpStubUrl,
          orgId: t.orgId,
          adminToken: secrets.adminToken,
          encryptionKey: setup.secrets.encryptionKey,
          rateLimit: cfg.rateLimit,
          extraEnv: cfg.tenantEnv,
        }),
      };
    }),
    bindAddress: cfg.edge.bindAddress,
    edgePort: setup.edgePort,
    cpStubPort: setup.cpStubPort,
    nginxConf: { hostPath: nginxConf, containerPath: EDGE_CONFIG_PATH, containerPort: EDGE_CONTAINER_PORT },
  });
  writeFileSync(setup.composeFile, stringify(compose), { mode: 0o600 });
  return images;
}

interface ComposeResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function runCompose(setup: BaselineSetup, args: string[], signal?: AbortSignal): Promise<ComposeResult> {
  return new Promise((resolve) => {
    const child = spawn(COMPOSE, ["-p", setup.project, "-f", setup.composeFile, ...args], {
      cwd: setup.dir,
      env: { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (c: Buffer) => (output = (output + c.toString()).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, COMPOSE_TIMEOUT_MS);
    const abort = () => child.kill("SIGTERM");
    if (signal?.aborted) abort();
    signal?.addEventListener("abort", abort, { once: true });
    child.on("error", (error) => (output += `\n${error.message}`));
    child.on("close", (code) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
      resolve({ code, output, timedOut });
    });
  });
}

/** The last lines of compose's output, one line (its progress rewrites lines with \r: the last version of each). */
function tail(text: string, lines = 12): string {
  return text
    .trimEnd()
    .split("\n")
    .map(
      (l) =>
        l
          .split("\r")
          .filter((part) => part.trim() !== "")
          .at(-1) ?? "",
    )
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .join(" | ");
}

async function projectContainers(docker: Docker, project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${project}`] } });
}

/** Remembers the anonymous volumes of the project's containers (down -v must remove them). */
async function noteVolumes(docker: Docker, setup: BaselineSetup): Promise<void> {
  for (const c of await projectContainers(docker, setup.project)) {
    for (const m of c.Mounts ?? []) if (m.Type === "volume" && m.Name) setup.volumes.add(m.Name);
  }
}

/** One line per container that is not healthy: its state, last probe output and log tail. */
async function describeUnhealthy(docker: Docker, project: string): Promise<string> {
  const lines: string[] = [];
  for (const c of await projectContainers(docker, project)) {
    const info = await docker
      .getContainer(c.Id)
      .inspect()
      .catch(() => undefined);
    const state = info?.State as
      | (Docker.ContainerInspectInfo["State"] & { Health?: { Status: string; Log?: { Output?: string }[] } })
      | undefined;
    const health = state?.Health?.Status ?? "no healthcheck";
    if (state?.Running && (health === "healthy" || health === "no healthcheck")) continue;
    const probe = (state?.Health?.Log ?? []).at(-1)?.Output?.trim().slice(0, 200) ?? "";
    const logs = tail(await tailLogs(docker.getContainer(c.Id), 5), 5);
    lines.push(
      `${c.Labels[COMPOSE_SERVICE_LABEL] ?? c.Names[0]}: ${state?.Status ?? "gone"}, ${health}${probe ? `, last probe: ${probe}` : ""}; logs: ${logs}`,
    );
  }
  return lines.join("; ");
}

/** GET /health through the edge with a tenant's Host: true on 2xx. */
function answers(address: string, port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: address, port, path: "/health", headers: { Host: host }, timeout: 1000 },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

type HealthState = { Status: string } | undefined;

/**
 * After `compose up -d` returned: waits until every container with a healthcheck is healthy and the
 * edge answers /health for every tenant (polled every 50 ms). Returns when, with a mark per tenant.
 */
async function waitBooted(
  docker: Docker,
  setup: BaselineSetup,
  t0: number,
  signal: AbortSignal,
): Promise<{ doneAt: number; marks: Mark[] }> {
  const cfg = setup.cfg;
  const expected = cfg.tenants.length * 2 + 3;
  const containers = await projectContainers(docker, setup.project);
  if (containers.length !== expected)
    throw new Error(`docker-compose up left ${containers.length} container(s), expected ${expected}`);
  const pendingHealth = new Map(containers.map((c) => [c.Id, c.Labels[COMPOSE_SERVICE_LABEL] ?? c.Names[0]]));
  const pendingEdge = new Map(cfg.tenants.map((t) => [t.name, tenantHost(t.name)]));
  const marks: Mark[] = [];
  const deadline = Date.now() + cfg.waitTimeoutSeconds * 1000;
  for (;;) {
    for (const [id, name] of [...pendingHealth]) {
      const info = await docker.getContainer(id).inspect();
      const health = (info.State as { Health?: HealthState }).Health;
      if (!info.State.Running) throw new Error(`${name} exited (code ${info.State.ExitCode})`);
      if (health?.Status === "unhealthy") throw new Error(`${name} is unhealthy`);
      if (!health || health.Status === "healthy") pendingHealth.delete(id);
    }
    await Promise.all(
      [...pendingEdge].map(async ([tenant, host]) => {
        if (await answers(cfg.edge.bindAddress, setup.edgePort, host)) {
          marks.push({ name: `edge answers /health for ${tenant}`, atMs: Math.round(Date.now() - t0) });
          pendingEdge.delete(tenant);
        }
      }),
    );
    if (pendingHealth.size === 0 && pendingEdge.size === 0) return { doneAt: Date.now(), marks };
    if (signal.aborted) throw new Error("interrupted");
    if (Date.now() > deadline)
      throw new Error(
        `not booted within ${cfg.waitTimeoutSeconds} s after docker-compose up returned: ${[
          ...[...pendingHealth.values()].map((n) => `${n} not healthy`),
          ...[...pendingEdge.keys()].map((t) => `the edge does not answer /health for ${t}`),
        ].join(", ")}`,
      );
    await sleep(POLL_MS);
  }
}

/** What the project left: containers, the network, anonymous volumes. */
async function leftovers(docker: Docker, setup: BaselineSetup): Promise<string[]> {
  const left: string[] = [];
  const labelFilter = { label: [`${LABEL_STACK}=${setup.label}`] };
  const containers = new Map<string, string>();
  for (const c of [
    ...(await projectContainers(docker, setup.project)),
    ...(await docker.listContainers({ all: true, filters: labelFilter })),
  ])
    containers.set(c.Id, c.Names[0]);
  for (const name of containers.values()) left.push(`container ${name}`);
  const networks = new Map<string, string>();
  for (const n of [
    ...(await docker.listNetworks({ filters: labelFilter })),
    ...(await docker.listNetworks({ filters: { name: [setup.networkName] } })).filter(
      (n) => n.Name === setup.networkName,
    ),
  ])
    networks.set(n.Id, n.Name);
  for (const name of networks.values()) left.push(`network ${name}`);
  for (const v of setup.volumes) {
    if (
      await docker
        .getVolume(v)
        .inspect()
        .then(() => true)
        .catch(() => false)
    )
      left.push(`volume ${v}`);
  }
  return left.sort();
}

export interface BaselineRecord {
  phases: {
    /** `docker-compose up` called → every healthcheck healthy and the edge answering /health for every tenant. */
    bootToHealthyMs?: number;
    /** `docker-compose up -d` called → returned (the edge container started). */
    composeUpMs?: number;
    /** `docker-compose down -v --remove-orphans`, as the caller waited for it. */
    destroyMs?: number;
  };
  images?: AnchorImages;
  timeline?: Timeline;
  error?: string;
}

/** One baseline run: up until booted, then down; nothing may be left. Never throws. */
export async function baselineRun(
  docker: Docker,
  setup: BaselineSetup,
  events: DockerEventLog,
  run: number,
  signal: AbortSignal,
): Promise<BaselineRecord> {
  const record: BaselineRecord = { phases: {} };
  const errors: string[] = [];
  try {
    record.images = await writeCompose(docker, setup);
  } catch (error) {
    record.error = `baseline: ${(error as Error).message.split("\n")[0]}`;
    return record;
  }

  setup.mayHoldResources = true;
  const t0 = Date.now();
  const up = await runCompose(
    setup,
    ["up", "-d", "--force-recreate", "--remove-orphans", "--no-color"],
    signal,
  );
  const upReturned = Date.now();
  const marks: Mark[] = [{ name: "docker-compose up returned", atMs: Math.round(upReturned - t0) }];
  await noteVolumes(docker, setup).catch(() => undefined);
  let windowEnd = upReturned;
  if (up.code === 0) {
    record.phases.composeUpMs = Math.round(upReturned - t0);
    try {
      const booted = await waitBooted(docker, setup, t0, signal);
      record.phases.bootToHealthyMs = Math.round(booted.doneAt - t0);
      marks.push(...booted.marks, {
        name: "booted (all healthy, edge answers)",
        atMs: record.phases.bootToHealthyMs,
      });
      windowEnd = booted.doneAt;
    } catch (error) {
      windowEnd = Date.now();
      const detail = await describeUnhealthy(docker, setup.project).catch(() => "");
      errors.push(`baseline boot failed: ${(error as Error).message}${detail ? `; ${detail}` : ""}`);
    }
  } else if (signal.aborted) {
    errors.push("docker-compose up stopped by the interrupt");
  } else {
    const detail = await describeUnhealthy(docker, setup.project).catch(() => "");
    errors.push(
      `docker-compose up failed (${up.timedOut ? "timed out" : `exit ${up.code}`}): ${tail(up.output)}${detail ? `; ${detail}` : ""}`,
    );
  }

  // The timeline: Docker's events of the project between the call and the boot (or the failure).
  const containerEvents = events.between(setup.label, t0 - 1, windowEnd + 1);
  record.timeline = {
    path: "compose",
    run,
    startedAt: new Date(t0).toISOString(),
    origin: "`docker-compose up` was called",
    containers: containerSpans(containerEvents, t0, (e) => e.labels[COMPOSE_SERVICE_LABEL] ?? e.name),
    steps: [],
    replays: [],
    replayTimesFrom: null,
    marks,
  };

  // Down, even when interrupted: the baseline must not outlive the bench.
  await noteVolumes(docker, setup).catch(() => undefined);
  const downStarted = Date.now();
  const down = await runCompose(setup, ["down", "-v", "--remove-orphans"]);
  if (down.code === 0) {
    // After an interrupted up, a down is not the baseline's destroy.
    if (!signal.aborted) record.phases.destroyMs = Math.round(Date.now() - downStarted);
    const left = await leftovers(docker, setup).catch((error: Error) => [`(cannot list: ${error.message})`]);
    if (left.length > 0) errors.push(`docker-compose down -v left ${left.join(", ")}`);
    else setup.mayHoldResources = false;
  } else {
    errors.push(
      `docker-compose down failed (${down.timedOut ? "timed out" : `exit ${down.code}`}): ${tail(down.output)}`,
    );
  }
  if (errors.length > 0) record.error = errors.join("; ");
  return record;
}

/** At the end of the bench: downs what a failed run left, removes anything still there, proves nothing is. */
export async function baselineCleanUp(docker: Docker, setup: BaselineSetup): Promise<string[]> {
  const problems: string[] = [];
  if (setup.mayHoldResources) {
    const down = await runCompose(setup, ["down", "-v", "--remove-orphans"]);
    if (down.code !== 0)
      problems.push(`baseline clean-up: docker-compose down failed: ${tail(down.output, 4)}`);
  }
  const left = await leftovers(docker, setup);
  if (left.length > 0) {
    problems.push(`baseline: left after the bench (removed now): ${left.join(", ")}`);
    const labelFilter = { label: [`${LABEL_STACK}=${setup.label}`] };
    const attempt = (what: string, p: Promise<unknown>) =>
      p.catch((error: Error) =>
        problems.push(`baseline: could not remove ${what}: ${error.message.split("\n")[0]}`),
      );
    const containers = [
      ...(await projectContainers(docker, setup.project)),
      ...(await docker.listContainers({ all: true, filters: labelFilter })),
    ];
    for (const id of new Set(containers.map((c) => c.Id)))
      await attempt(`container ${id}`, docker.getContainer(id).remove({ force: true, v: true }));
    const networks = [
      ...(await docker.listNetworks({ filters: labelFilter })),
      ...(await docker.listNetworks({ filters: { name: [setup.networkName] } })).filter(
        (n) => n.Name === setup.networkName,
      ),
    ];
    for (const id of new Set(networks.map((n) => n.Id)))
      await attempt(`network ${id}`, docker.getNetwork(id).remove());
    for (const v of setup.volumes)
      await docker
        .getVolume(v)
        .remove()
        .catch(() => undefined);
    const still = await leftovers(docker, setup);
    if (still.length > 0) problems.push(`baseline: still there: ${still.join(", ")}`);
  }
  rmSync(setup.dir, { recursive: true, force: true });
  return problems;
}

/** The probe timing the baseline uses, for the JSON. */
export function baselineProbes(): Record<string, ProbeTiming & { test: string }> {
  const infra = ANCHOR_TIMING.infra;
  const tenant = ANCHOR_TIMING.tenant;
  return {
    postgres: { test: `pg_isready -U ${POSTGRES_USER} -d ${POSTGRES_DB}`, ...infra },
    redis: { test: "redis-cli ping", ...infra },
    "cp-stub": { test: "the image's HEALTHCHECK command", ...infra },
    tenant: { test: "the image's HEALTHCHECK command (or harness:tenantHealthcheck)", ...tenant },
  };
}
