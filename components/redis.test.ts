/** Redis under plain setMocks: one container, internal only, its alias, the stack's labels, the engine's provider. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "./redis";
import { localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";

const CONTAINER = "docker:index/container:Container";

test("redis: <stack>-redis on the internal network as `redis`, labelled, through the engine's provider, nothing published", async () => {
  const declared = await recordDeclarations();
  const engine = localEngine();
  const redis = new Redis("redis", {
    engine,
    image: "sha256:redis",
    networkName: "ci-7-net-1234",
    waitTimeoutSeconds: 30,
  });
  await valueOf(redis.container.id);

  assert.equal(redis.containerName, "ci-7-redis");
  assert.equal(redis.internalUrl, "redis://redis:6379");
  const c = the(declared, CONTAINER, "redis-container");
  assert.equal(c.inputs.name, "ci-7-redis");
  assert.equal(c.inputs.image, "sha256:redis");
  assert.deepEqual(c.inputs.networksAdvanced, [{ name: "ci-7-net-1234", aliases: ["redis"] }]);
  assert.equal(c.inputs.ports, undefined, "nothing published");
  const labels = Object.fromEntries(
    (c.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]),
  );
  assert.equal(labels["harness.stack"], "harness/ci-7");
  assert.equal(labels["harness.role"], "redis");
  assert.match(c.provider ?? "", /::engine-provider::/, "the engine's explicit provider");
});
