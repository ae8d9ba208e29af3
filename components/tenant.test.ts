/**
 * A tenant under plain setMocks: internal network only with its alias, its resolver the sinkhole
 * (issue 14), nothing published, its env secret and production-shaped, labelled with its postgres.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { CpStub } from "./cp-stub";
import type { Postgres } from "./postgres";
import type { Redis } from "./redis";
import { Tenant } from "./tenant";
import { localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";

const CONTAINER = "docker:index/container:Container";

test("tenant: internal only, the sinkhole as resolver, nothing published, env secret, labelled with its postgres", async () => {
  const declared = await recordDeclarations();
  // Stand-ins for what a tenant reads of its neighbours.
  const postgres = {
    internalUrl: pulumi.output("postgres://harness:pw@postgres-alpha:5432/molecule"),
    container: { id: pulumi.output("pg-container-id") },
  } as unknown as Postgres;
  const redis = { internalUrl: "redis://redis:6379" } as unknown as Redis;
  const cpStub = { internalUrl: "http://cp-stub:9090" } as unknown as CpStub;
  const tenant = new Tenant("tenant-alpha", {
    engine: localEngine(),
    tenant: { name: "alpha", orgId: "org-alpha", adminToken: undefined } as never,
    image: "harness-ci-7/tenant:abc",
    networkName: "ci-7-net-1234",
    sinkholeAddress: "172.30.0.2",
    postgres,
    redis,
    cpStub,
    encryptionKey: "k".repeat(64),
    rateLimit: 600,
    extraEnv: { FEATURE_X: "on" },
    healthcheck: undefined,
    waitTimeoutSeconds: 30,
  });
  await valueOf(tenant.container.id);

  assert.equal(tenant.containerName, "ci-7-tenant-alpha");
  assert.equal(tenant.host, "harness-tenant-alpha.localhost");
  const c = the(declared, CONTAINER, "tenant-alpha-container");
  assert.deepEqual(c.inputs.networksAdvanced, [{ name: "ci-7-net-1234", aliases: ["tenant-alpha"] }]);
  assert.deepEqual(c.inputs.dns, ["172.30.0.2"], "every outside name goes to the sinkhole");
  assert.equal(c.inputs.ports, undefined, "a tenant publishes nothing");
  assert.equal(await pulumi.isSecret(tenant.container.envs), true, "the env holds the admin token: secret");
  const env = Object.fromEntries(
    ((await valueOf(tenant.container.envs)) ?? []).map((kv) => kv.split(/=(.*)/s).slice(0, 2)),
  );
  assert.equal(env.MOLECULE_ENV, "production");
  assert.equal(env.MOLECULE_ORG_ID, "org-alpha");
  assert.equal(env.DATABASE_URL, "postgres://harness:pw@postgres-alpha:5432/molecule");
  assert.equal(env.CP_UPSTREAM_URL, "http://cp-stub:9090");
  assert.equal(env.FEATURE_X, "on");
  assert.match(env.ADMIN_TOKEN ?? "", /.+/, "a generated admin token");
  const labels = Object.fromEntries(
    (c.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]),
  );
  assert.equal(labels["harness.tenant"], "alpha");
  assert.equal(labels["harness.postgres-id"], "pg-container-id", "a new database means a new tenant");
  assert.ok(
    declared.some((d) => d.name === "tenant-alpha-admin-token"),
    "the admin token is the tenant's own generated secret",
  );
});
