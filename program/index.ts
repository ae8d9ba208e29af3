/**
 * The production-shape harness as a Pulumi program, as a function: reads and validates the stack
 * config, wires the components and returns the CI contract (docs/pulumi.md). `index.ts` exports its
 * result for the Pulumi CLI; the Automation API runs it inline (scripts/pulumi/engine.ts), once per
 * operation, so one process can run several operations.
 */
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LEGACY_TENANT_HOST } from "./contracts/hosts";
import type { HarnessTarget } from "./contracts/target";
import { BaseImages } from "../components/base-images";
import { CfProxy } from "../components/cf-proxy";
import { CpStub } from "../components/cp-stub";
import { DockerEngine } from "../components/engine";
import { GeneratedSecret } from "../components/generated-secret";
import { HarnessNetwork } from "../components/network";
import { Postgres } from "../components/postgres";
import { PostgresImage } from "../components/postgres-image";
import { Redis } from "../components/redis";
import { Replays } from "../components/replays";
import { Seed } from "../components/seed";
import { Sinkhole } from "../components/sinkhole";
import { Tenant } from "../components/tenant";
import { TenantImage } from "../components/tenant-image";
import { readHarnessConfig } from "./config/pulumi";
import { prepareBundles } from "./images/bundles";
import { healthcheck } from "./lib/docker";
import { edgeOptions } from "./config/edge";
import { buildHarnessTarget, databaseUrl, edgeClientHost, httpUrl, tenantUrl } from "./lib/target";
import { replayInputsHash, suiteInputsHash } from "./lib/triggers";

export type HarnessOutputs = ReturnType<typeof harnessProgram>;

/** `repoRoot`: the checkout holding the build contexts and the replays (the parent of this folder). */
export function harnessProgram(repoRoot: string = resolve(__dirname, "..")) {
  // 1. Config: every problem reported at once, before any resource exists.
  const cfg = readHarnessConfig(repoRoot);
  const builds = { builder: cfg.imageBuilder, rebuildNonce: cfg.rebuildNonce, keepImages: cfg.keepImages };

  // 2. Host-side bundles before the images that copy them (no Docker involved).
  try {
    prepareBundles(cfg.tenantImage, cfg.repoRoot);
  } catch (error) {
    throw new pulumi.RunError((error as Error).message);
  }

  // 3. Resources, every docker one through the stack engine's provider (harness:engine).
  const engine = new DockerEngine("engine", cfg.engine);
  const { clientAddress } = cfg.engine;
  const edgeHost = edgeClientHost(cfg.edge.bindAddress, cfg.engine.publishAddress, clientAddress);
  const bases = new BaseImages("base", { refs: cfg.baseImages, engine });
  // Issue 14: the stack's network is internal (no route out); only what publishes a port is also on
  // the bridge, dual-homed. Names the harness does not own lead to the sinkhole.
  const network = new HarnessNetwork("network", { engine, internal: true });
  const publishNetwork = new HarnessNetwork("publish-network", { engine, part: "pub" });
  const redis = new Redis("redis", {
    engine,
    image: bases.get("redis").imageId,
    networkName: network.networkName,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
  });
  const cpStub = new CpStub("cp-stub", {
    engine,
    repoRoot: cfg.repoRoot,
    nodeBase: bases.get("node"),
    networkName: network.networkName,
    publishNetworkName: publishNetwork.networkName,
    publish: cfg.cpStub.publish,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    builds,
  });
  const sinkhole = new Sinkhole("sinkhole", {
    engine,
    repoRoot: cfg.repoRoot,
    nodeBase: bases.get("node"),
    networkName: network.networkName,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    builds,
  });
  const tenantImage = new TenantImage("tenant-image", {
    engine,
    repoRoot: cfg.repoRoot,
    source: cfg.tenantImage,
    gitSha: cfg.gitSha,
    nodeBase: bases.get("node"),
    builds,
  });
  const postgresImage = new PostgresImage("postgres-image", {
    engine,
    repoRoot: cfg.repoRoot,
    base: bases.get("postgres"),
    builds,
  });
  const encryptionKey = new GeneratedSecret("encryption-key", {
    kind: "key32",
    configured: cfg.encryptionKey,
  }).value;

  const stacks = cfg.tenants.map((t) => {
    const postgres = new Postgres(`postgres-${t.name}`, {
      engine,
      tenant: t.name,
      image: postgresImage.image.imageId,
      networkName: network.networkName,
      publishNetworkName: publishNetwork.networkName,
      waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    });
    const tenant = new Tenant(`tenant-${t.name}`, {
      engine,
      tenant: t,
      image: tenantImage.ref,
      networkName: network.networkName,
      sinkholeAddress: sinkhole.address,
      postgres,
      redis,
      cpStub,
      encryptionKey,
      rateLimit: cfg.rateLimit,
      extraEnv: cfg.tenantEnv,
      healthcheck: cfg.tenantHealthcheck === "image" ? undefined : healthcheck(cfg.tenantHealthcheck.test),
      waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    });
    // No default route: a literal outside address fails at once (the names go to the sinkhole).
    const isolated = sinkhole.isolate(
      `sinkhole-isolate-${t.name}`,
      tenant.containerName,
      tenant.container.id,
    );
    return { postgres, tenant, isolated };
  });

  const edge = new CfProxy("cf-proxy", {
    engine,
    repoRoot: cfg.repoRoot,
    nginxBase: bases.get("nginx"),
    networkName: network.networkName,
    publishNetworkName: publishNetwork.networkName,
    options: edgeOptions(cfg.tenants, cfg.edge),
    port: cfg.edge.port,
    bindAddress: cfg.edge.bindAddress,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    builds,
  });

  const containerNames = [
    redis.containerName,
    cpStub.containerName,
    ...stacks.flatMap((s) => [s.postgres.containerName, s.tenant.containerName]),
    edge.containerName,
    sinkhole.containerName,
  ];

  // What the seed and the runner are told (program/contracts/target.ts); secret: tokens and database URLs.
  const target = pulumi.secret(
    pulumi
      .all([
        edge.hostPort,
        cpStub.hostPort,
        pulumi.all(
          stacks.map((s) => pulumi.all([s.tenant.adminToken, s.postgres.password, s.postgres.hostPort])),
        ),
      ])
      .apply(([edgePort, cpStubPort, resolved]) =>
        JSON.stringify({
          ...buildHarnessTarget({
            stack: cfg.stack,
            repoRoot: cfg.repoRoot,
            edgeBindAddress: cfg.edge.bindAddress,
            edgePort,
            cpStubPort,
            publishAddress: cfg.engine.publishAddress,
            clientAddress,
            engine: engine.access,
            tenants: stacks.map((s, i) => ({
              name: s.tenant.name,
              host: s.tenant.host,
              orgId: s.tenant.orgId,
              container: s.tenant.containerName,
              adminToken: resolved[i][0],
              postgresPassword: resolved[i][1],
              postgresPort: resolved[i][2],
            })),
            expectedGitSha: cfg.gitShaKnown ? cfg.gitSha : undefined,
            edgeForwardedProto: cfg.edge.forwardedProto,
            containers: containerNames,
          }),
          // Issue 14: where the runner reads the egress journal, and what an attempt does to a replay.
          // Here rather than in the runner's target alone, so a run against a kept stack (the `target`
          // output) judges egress as `up` does; a policy change re-runs the seed, which is idempotent.
          egress: { container: sinkhole.containerName, ...cfg.egress },
        }),
      ),
  );
  // The runner's: the same plus the images under test, which report.html names. Not the seed's: an
  // image the tenants do not run (the edge's, the cp-stub's) must not re-seed.
  const runnerTarget = pulumi.secret(
    pulumi
      .all([target, tenantImage.ref, cpStub.image.imageId, edge.image.imageId])
      .apply(([json, tenant, cpStubImage, edgeImage]) =>
        JSON.stringify({
          ...(JSON.parse(json) as HarnessTarget),
          images: { tenant, "cp-stub": cpStubImage, "cf-proxy": edgeImage },
        }),
      ),
  );

  const seeding = new Seed("seed", {
    repoRoot: cfg.repoRoot,
    target,
    tenantContainerIds: stacks.map((s) => s.tenant.container.id),
    // Every container healthy (the health gates), whatever order they became so in.
    after: [
      redis.ready,
      cpStub.ready,
      ...stacks.flatMap((s) => [s.postgres.ready, s.tenant.ready, s.isolated]),
      edge.ready,
      sinkhole.ready,
    ],
  });

  const allContainers = [
    redis.container,
    cpStub.container,
    ...stacks.flatMap((s) => [s.postgres.container, s.tenant.container]),
    edge.container,
    sinkhole.container,
  ];
  const replaysRun = new Replays("replays", {
    repoRoot: cfg.repoRoot,
    target: runnerTarget,
    seed: seeding.stdout,
    replaysDir: cfg.replays.dir,
    include: cfg.replays.include,
    exclude: cfg.replays.exclude,
    timeoutSeconds: cfg.replays.timeoutSeconds,
    concurrency: cfg.replays.concurrency,
    contentHash: replayInputsHash(cfg.repoRoot, cfg.replays.absDir),
    suites: cfg.suites,
    suitesHash: suiteInputsHash(cfg.repoRoot, cfg.suites),
    tested: [
      pulumi.interpolate`image:tenant=${tenantImage.ref}`,
      pulumi.interpolate`image:cp-stub=${cpStub.image.imageId}`,
      pulumi.interpolate`image:cf-proxy=${edge.image.imageId}`,
      ...allContainers.map((c) => pulumi.interpolate`container:${c.name}=${c.id}`),
    ],
    rerunNonce: cfg.replays.rerun === "always" ? new Date().toISOString() : undefined,
    after: [seeding.command],
  });

  return {
    // 4. Outputs: the CI contract (keep names stable; documented in docs/pulumi.md).
    edgeUrl: edge.hostPort.apply((port) => `http://${edgeHost}:${port}`),
    legacyHost: LEGACY_TENANT_HOST,
    tenants: Object.fromEntries(
      stacks.map((s) => [
        s.tenant.name,
        {
          host: s.tenant.host,
          url: edge.hostPort.apply((port) => tenantUrl(s.tenant.host, port, edgeHost)),
          orgId: s.tenant.orgId,
          containers: { tenant: s.tenant.containerName, postgres: s.postgres.containerName },
          databaseUrl: pulumi.secret(
            pulumi
              .all([s.postgres.password, s.postgres.hostPort])
              .apply(([pw, port]) => databaseUrl(clientAddress, pw, port)),
          ),
        },
      ]),
    ),
    cpStubUrl: cpStub.hostPort.apply((port) => (port === undefined ? "" : httpUrl(clientAddress, port))),
    adminTokens: pulumi.secret(
      pulumi.all(Object.fromEntries(stacks.map((s) => [s.tenant.name, s.tenant.adminToken]))),
    ),
    seed: seeding.result,
    replays: replaysRun.summary,
    replaysPassed: replaysRun.passed,
    // Issue 14: every outbound attempt the sinkhole caught (boot, seed and replays), and the policy.
    egress: replaysRun.summary.apply((s) => s.egress ?? null),
    reports: replaysRun.reports,
    // The suites as the runner gets them (cwd relative to the repo root): `npm run replays -- --stack`.
    suites: cfg.suites,
    containers: containerNames,
    // Where the stack runs (null host: Docker's defaults), without its TLS material: what a pool picked.
    engine: {
      host: cfg.engine.host ?? null,
      publishAddress: cfg.engine.publishAddress,
      clientAddress,
    },
    // The HarnessTarget JSON the Commands get (secret): `npm run replays|seed -- --stack <name>` runs
    // against a kept stack from it (scripts/replays.ts), never from a JSON built by hand.
    target,
  };
}
