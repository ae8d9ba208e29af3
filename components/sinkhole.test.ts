/**
 * The egress sinkhole under plain setMocks (issue 14): built from sinkhole/ on the node base, on the
 * internal network only with NET_ADMIN (its iptables redirect), its address from the engine, and a
 * per-tenant isolate Command that re-runs when the tenant is replaced.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as docker from "@pulumi/docker";
import { Sinkhole } from "./sinkhole";
import { localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";
import { buildOf } from "./test-support/build";

const REPO = join(__dirname, "..");

test("sinkhole: its image, NET_ADMIN on the internal network only, its address, and the isolate Command", async () => {
  const declared = await recordDeclarations();
  const engine = localEngine();
  const nodeBase = new docker.RemoteImage("base-node", { name: "harness-local/node:20" });
  const sinkhole = new Sinkhole("sinkhole", {
    engine,
    repoRoot: REPO,
    nodeBase,
    networkName: "ci-7-net-1234",
    builds: { builder: "BuilderV1", rebuildNonce: "", keepImages: false },
    waitTimeoutSeconds: 30,
  });
  const isolate = sinkhole.isolate("sinkhole-isolate-alpha", "ci-7-tenant-alpha", "tenant-id-1");
  assert.equal(await valueOf(sinkhole.address), "172.30.0.9", "the address the engine gave it");
  await valueOf(isolate.id);

  const c = the(declared, "docker:index/container:Container", "sinkhole-container");
  assert.equal(c.inputs.name, "ci-7-sinkhole");
  assert.deepEqual(c.inputs.networksAdvanced, [{ name: "ci-7-net-1234", aliases: [] }], "internal only");
  assert.deepEqual(c.inputs.capabilities, { adds: ["NET_ADMIN"] });
  assert.equal(c.inputs.ports, undefined, "nothing published");

  const image = the(declared, "docker:index/remoteImage:RemoteImage", "sinkhole-image");
  const build = buildOf(image);
  assert.equal(build.context, join(REPO, "sinkhole"));
  assert.deepEqual(build.buildArgs, { NODE_BASE: "harness-local/node:20" });

  const cmd = the(declared, "command:local:Command", "sinkhole-isolate-alpha");
  assert.match(String(cmd.inputs.create), /ip route del default/);
  assert.match(String(cmd.inputs.create), /ci-7-tenant-alpha/);
  assert.deepEqual(cmd.inputs.triggers, ["tenant-id-1"], "a replaced tenant is isolated again");
});
