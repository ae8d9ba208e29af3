/**
 * Step i: an `up` interrupted mid-boot (Ctrl-C: the Automation API sends the CLI one SIGINT), then
 * `destroy`, leaves nothing: the engine finishes the steps in flight, records them, and destroy
 * removes everything it recorded.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { docker, labelled, testStack, type TestStack } from "./test-support";

let s: TestStack | undefined;
after(async () => {
  await s?.dispose();
});

test("i. an up interrupted mid-boot, then destroy, leaves nothing", { timeout: 10 * 60_000 }, async (t) => {
  s = await testStack("intr");
  const stack = s;
  const controller = new AbortController();
  let containers = 0;
  // Interrupt as the first container is being created: the network and images are done or in
  // flight, the seed and the replays have not started.
  const up = stack.up(
    {},
    {
      signal: controller.signal,
      onStep(step) {
        if (step.type === "docker:index/container:Container" && step.op === "create" && ++containers === 1) {
          controller.abort();
        }
      },
    },
  );
  await assert.rejects(up, "the interrupted up fails");
  t.diagnostic(`interrupted as container ${containers} was being created`);
  assert.ok(containers >= 1);
  assert.ok(
    (await labelled(stack.label)).length > 0,
    "the interrupted up left objects for destroy to remove",
  );

  await stack.destroy();
  assert.deepEqual(await labelled(stack.label), [], "destroy removed everything labelled for the stack");
  const images = await docker.listImages({ filters: { reference: [`harness-${stack.name}/*`] } });
  assert.deepEqual(images, [], "and every image it built");
});
