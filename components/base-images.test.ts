/**
 * The base images under plain setMocks: one RemoteImage `<name>-<key>` per ref the stack needs (none
 * for the others), pulled by its reference, kept on destroy (shared), through the engine's provider;
 * `get` hands out the declared ones and refuses the rest.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BaseImages } from "./base-images";
import { allOf, localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";

const IMAGE = "docker:index/remoteImage:RemoteImage";

test("base images: one kept RemoteImage per needed ref, named <name>-<key>, through the engine's provider", async () => {
  const declared = await recordDeclarations();
  const bases = new BaseImages("base", {
    refs: { postgres: "postgres:16-alpine", node: "harness-local/node:20", redis: undefined },
    engine: localEngine(),
  });
  assert.equal(await valueOf(bases.get("node").imageId), "sha256:base-node");

  assert.deepEqual(allOf(declared, IMAGE).sort(), ["base-node", "base-postgres"], "only the refs given");
  const node = the(declared, IMAGE, "base-node");
  assert.equal(node.inputs.name, "harness-local/node:20", "a local stand-in is taken by its name");
  assert.equal(node.inputs.keepLocally, true, "destroy never removes a shared base");
  assert.equal(node.inputs.build, undefined, "pulled, not built");
  assert.match(node.provider ?? "", /::engine-provider::/, "pulled on the stack's engine");
  const pg = the(declared, IMAGE, "base-postgres");
  assert.equal(pg.inputs.name, "postgres:16-alpine");
  assert.equal(pg.inputs.keepLocally, true);
  assert.equal(await valueOf(bases.get("postgres").name), "postgres:16-alpine", "get: the image of its key");

  assert.throws(() => bases.get("nginx"), /base image nginx was not declared/);
  assert.throws(() => bases.get("redis"), /base image redis was not declared/, "an undefined ref is none");
  const urn = await valueOf(bases.get("node").urn);
  assert.match(urn, /::harness:index:BaseImages\$docker:index\/remoteImage:RemoteImage::base-node$/);
});
