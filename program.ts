/**
 * The production-shape harness as a Pulumi program, as a function: reads and validates the stack
 * config, wires the components and returns the CI contract (docs/pulumi.md). `index.ts` exports its
 * result for the Pulumi CLI; the Automation API runs it inline (scripts/pulumi/engine.ts), once per
 * operation, so one process can run several operations.
 */
import * as pulumi from "@pulumi/pulumi";
import { LEGACY_TENANT_HOST } from "./contracts/hosts";
import type { HarnessTarget } from "./contracts/target";
import { BaseImages } from "./components/base-images";
import { CfProxy } from "./components/cf-proxy";
import { CpStub } from "./components/cp-stub";
import { GeneratedSecret } from "./components/generated-secret";
import { HarnessNetwork } from "./components/network";
import { Postgres } from "./components/postgres";
import { PostgresImage } from "./components/postgres-image";
import { Redis } from "./components/redis";
import { Replays } from "./components/replays";
import { Seed } from "./components/seed";
import { Tenant } from "./components/tenant";
import { TenantImage } from "./components/tenant-image";
import { readHarnessConfig } from "./config/pulumi";
import { prepareBundles } from "./images/bundles";
import { healthcheck } from "./lib/docker";
import { edgeOptions } from "./config/edge";
import { Naming } from "./lib/naming";
import { buildHarnessTarget, httpUrl, loopbackDatabaseUrl, tenantUrl } from "./lib/target";
import { replayInputsHash, suiteInputsHash } from "./lib/triggers";

export type HarnessOutputs = ReturnType<typeof harnessProgram>;

/** `repoRoot`: the checkout holding the build contexts and the replays (this file's directory). */
export function harnessProgram(repoRoot: string = __dirname) {
  // 1. Config: every problem reported at once, before any resource exists.
  const cfg = readHarnessConfig(repoRoot);
  const naming = new Naming(cfg.project, cfg.stack);
  const builds = { builder: cfg.imageBuilder, rebuildNonce: cfg.rebuildNonce, keepImages: cfg.keepImages };

  // 2. Host-side bundles before the images that copy them (no Docker involved).
  try {
    prepareBundles(cfg.tenantImage, cfg.repoRoot);
  } catch (error) {
    throw new pulumi.RunError((error as Error).message);
  }

  // 3. Resources.
  const bases = new BaseImages("base", { refs: cfg.baseImages });
  const network = new HarnessNetwork("network", { naming });
  const redis = new Redis("redis", {
    naming,
    image: bases.get("redis").imageId,
    networkName: network.networkName,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
  });
  const cpStub = new CpStub("cp-stub", {
    naming,
    repoRoot: cfg.repoRoot,
    nodeBase: bases.get("node"),
    networkName: network.networkName,
    publish: cfg.cpStub.publish,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    ...builds,
  });
  const tenantImage = new TenantImage("tenant-image", {
    naming,
    repoRoot: cfg.repoRoot,
    source: cfg.tenantImage,
    gitSha: cfg.gitSha,
    nodeBase: bases.get("node"),
    ...builds,
  });
  const postgresImage = new PostgresImage("postgres-image", {
    naming,
    repoRoot: cfg.repoRoot,
    base: bases.get("postgres"),
    ...builds,
  });
  const encryptionKey = new GeneratedSecret("encryption-key", {
    kind: "key32",
    configured: cfg.encryptionKey,
  }).value;

  const stacks = cfg.tenants.map((t) => {
    const postgres = new Postgres(`postgres-${t.name}`, {
      naming,
      tenant: t.name,
      image: postgresImage.image.imageId,
      networkName: network.networkName,
      waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    });
    const tenant = new Tenant(`tenant-${t.name}`, {
      naming,
      tenant: t,
      image: tenantImage.ref,
      networkName: network.networkName,
      postgres,
      redis,
      cpStub,
      encryptionKey,
      rateLimit: cfg.rateLimit,
      extraEnv: cfg.tenantEnv,
      healthcheck: cfg.tenantHealthcheck === "image" ? undefined : healthcheck(cfg.tenantHealthcheck.test),
      waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    });
    return { postgres, tenant };
  });

  const edge = new CfProxy("cf-proxy", {
    naming,
    repoRoot: cfg.repoRoot,
    nginxBase: bases.get("nginx"),
    networkName: network.networkName,
    options: edgeOptions(cfg.tenants, cfg.edge),
    port: cfg.edge.port,
    bindAddress: cfg.edge.bindAddress,
    waitTimeoutSeconds: cfg.waitTimeoutSeconds,
    ...builds,
  });

  const containerNames = [
    redis.containerName,
    cpStub.containerName,
    ...stacks.flatMap((s) => [s.postgres.containerName, s.tenant.containerName]),
    edge.containerName,
  ];

  // What the seed and the runner are told (contracts/target.ts); secret: tokens and database URLs.
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
        JSON.stringify(
          buildHarnessTarget({
            stack: cfg.stack,
            repoRoot: cfg.repoRoot,
            edgeBindAddress: cfg.edge.bindAddress,
            edgePort,
            cpStubPort,
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
        ),
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
      ...stacks.flatMap((s) => [s.postgres.ready, s.tenant.ready]),
      edge.ready,
    ],
  });

  const allContainers = [
    redis.container,
    cpStub.container,
    ...stacks.flatMap((s) => [s.postgres.container, s.tenant.container]),
    edge.container,
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
    edgeUrl: edge.hostPort.apply((port) => httpUrl(cfg.edge.bindAddress, port)),
    legacyHost: LEGACY_TENANT_HOST,
    tenants: Object.fromEntries(
      stacks.map((s) => [
        s.tenant.name,
        {
          host: s.tenant.host,
          url: edge.hostPort.apply((port) => tenantUrl(s.tenant.host, port)),
          orgId: s.tenant.orgId,
          containers: { tenant: s.tenant.containerName, postgres: s.postgres.containerName },
          databaseUrl: pulumi.secret(
            pulumi
              .all([s.postgres.password, s.postgres.hostPort])
              .apply(([pw, port]) => loopbackDatabaseUrl(pw, port)),
          ),
        },
      ]),
    ),
    cpStubUrl: cpStub.hostPort.apply((port) => (port === undefined ? "" : httpUrl("127.0.0.1", port))),
    adminTokens: pulumi.secret(
      pulumi.all(Object.fromEntries(stacks.map((s) => [s.tenant.name, s.tenant.adminToken]))),
    ),
    seed: seeding.result,
    replays: replaysRun.summary,
    replaysPassed: replaysRun.passed,
    reports: replaysRun.reports,
    // The suites as the runner gets them (cwd relative to the repo root): `npm run replays -- --stack`.
    suites: cfg.suites,
    containers: containerNames,
    // The HarnessTarget JSON the Commands get (secret): `npm run replays|seed -- --stack <name>` runs
    // against a kept stack from it (scripts/replays.ts), never from a JSON built by hand.
    target,
  };
}
