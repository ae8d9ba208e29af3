/**
 * serviceContainer (what every harness container gets) under plain setMocks: the stack's labels
 * first and the extra ones after, sorted, Output values resolved; the bridge joined only when a port
 * is published (first, without aliases); ports as tcp on the given address; capabilities, DNS and
 * uploads passed through; the container's lifecycle settings; the engine's provider; and, in a
 * preview, the health gate resolving to the container without asking any engine.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { healthcheck } from "../program/lib/docker";
import { Naming } from "../program/lib/naming";
import { serviceContainer, type ServiceContainerArgs } from "./container";
import type { Engine } from "./engine";
import {
  labelsOf,
  localEngine,
  PROJECT,
  recordDeclarations,
  STACK,
  the,
  valueOf,
} from "./test-support/declare";

const CONTAINER = "docker:index/container:Container";

// One recorder per file (a second setMocks would drop resources still reporting); names per test.
// The engine's provider as the program makes it, but an API address nobody answers on: a preview's
// health gate must not ask it (and a broken gate fails here rather than reaching a real engine).
const recording = recordDeclarations().then((declared) => {
  const engine: Engine = {
    ...localEngine(),
    access: { host: "unix:///nonexistent/harness-test/docker.sock" },
  };
  return { declared, engine };
});

function args(engine: Engine, extra: Partial<ServiceContainerArgs>): ServiceContainerArgs {
  return {
    naming: new Naming(PROJECT, STACK),
    engine,
    role: "redis",
    containerName: "ci-7-probe",
    image: "sha256:probe",
    networkName: "ci-7-net-1234",
    aliases: ["probe"],
    healthcheck: healthcheck(["CMD", "true"]),
    waitTimeoutSeconds: 30,
    ...extra,
  };
}

test("serviceContainer: labels, ports on the given address with the bridge first, passthroughs, lifecycle", async () => {
  const { declared, engine } = await recording;
  const { container } = serviceContainer(
    "probe-container",
    args(engine, {
      publishNetworkName: "ci-7-pub-5678",
      ports: [{ internal: 5432, external: pulumi.output(41000), ip: "10.0.0.5" }],
      labels: { "harness.tenant": "alpha", "harness.postgres-id": pulumi.output("pg-id") },
      capabilities: ["NET_ADMIN"],
      dns: ["172.30.0.2"],
      envs: ["A=1"],
      uploads: [{ file: "/etc/x.conf", content: "x" }],
    }),
    {},
  );
  await valueOf(container.id);

  const c = the(declared, CONTAINER, "probe-container");
  assert.equal(c.inputs.name, "ci-7-probe");
  assert.deepEqual(
    (c.inputs.labels as { label: string }[]).map((l) => l.label),
    ["harness.role", "harness.stack", "harness.postgres-id", "harness.tenant"],
    "the stack's labels, then the extra ones sorted",
  );
  assert.deepEqual(labelsOf(c.inputs), {
    "harness.role": "redis",
    "harness.stack": "harness/ci-7",
    "harness.postgres-id": "pg-id",
    "harness.tenant": "alpha",
  });
  assert.deepEqual(c.inputs.networksAdvanced, [
    { name: "ci-7-pub-5678" },
    { name: "ci-7-net-1234", aliases: ["probe"] },
  ]);
  assert.deepEqual(c.inputs.ports, [{ internal: 5432, external: 41000, ip: "10.0.0.5", protocol: "tcp" }]);
  assert.deepEqual(c.inputs.capabilities, { adds: ["NET_ADMIN"] });
  assert.deepEqual(c.inputs.dns, ["172.30.0.2"]);
  assert.deepEqual(c.inputs.envs, ["A=1"]);
  assert.deepEqual(c.inputs.uploads, [{ file: "/etc/x.conf", content: "x" }]);
  assert.deepEqual((c.inputs.healthcheck as { tests: string[] }).tests, ["CMD", "true"]);
  assert.equal(c.inputs.restart, "no", "a crashed service stays down: the health gate reports it");
  assert.equal(c.inputs.mustRun, true);
  assert.equal(c.inputs.removeVolumes, true, "anonymous volumes go with the container");
  assert.equal(typeof c.inputs.destroyGraceSeconds, "number");
  assert.ok((c.inputs.destroyGraceSeconds as number) <= 10, "a short stop grace period");
  assert.match(c.provider ?? "", /::engine-provider::/);
});

test("serviceContainer: without ports the bridge is not joined, no capabilities; the gate passes in a preview", async () => {
  const { declared, engine } = await recording;
  const { container, ready } = serviceContainer(
    "quiet-container",
    args(engine, { containerName: "ci-7-quiet", publishNetworkName: "ci-7-pub-5678", ports: [] }),
    {},
  );
  const gated = await Promise.race([
    valueOf(ready),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("the health gate did not resolve in a preview")), 5000).unref(),
    ),
  ]);
  assert.equal(gated, container, "the gate resolves to the container itself");

  const c = the(declared, CONTAINER, "quiet-container");
  assert.deepEqual(
    c.inputs.networksAdvanced,
    [{ name: "ci-7-net-1234", aliases: ["probe"] }],
    "a bridge only for a published port",
  );
  assert.deepEqual(c.inputs.ports, []);
  assert.equal(c.inputs.capabilities, undefined);
  assert.deepEqual(labelsOf(c.inputs), { "harness.role": "redis", "harness.stack": "harness/ci-7" });
});
