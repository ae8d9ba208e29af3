/**
 * F2 and F8 on the real providers, with a program of two components (the stack network and one
 * service container on it): a healthcheck change replaces the container, and the new one runs the new
 * healthcheck (an in-place update cannot change it); a change that replaces the network (here
 * `internal`) creates the new network beside the old one, moves the container, and removes the old
 * network last. Nothing is left after destroy.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { changes, docker as engine, labelled, named, testStack, type TestStack } from "./test-support";

const TIMEOUT = { timeout: 10 * 60_000 };

const PROGRAM = join(__dirname, "fixtures", "network-program.ts");

describe("container and network replacement on the real providers", { concurrency: false }, () => {
  let s: TestStack;
  before(async () => {
    s = await testStack("net", { "t:internal": false, "t:interval": "1s" }, PROGRAM);
  });
  after(async () => {
    await s.destroy().catch(() => undefined);
    const left = await labelled(s.label);
    await s.dispose();
    assert.deepEqual(left, []);
  });

  test("up: a healthy container on the stack's network", TIMEOUT, async () => {
    await s.up();
  });

  test(
    "F2. a healthcheck change replaces the container, which then runs the new healthcheck",
    TIMEOUT,
    async () => {
      s.setConfig({ "t:internal": false, "t:interval": "2s" });
      const up = await s.up();
      assert.deepEqual(changes(up.steps), [
        "create-replacement redis-container",
        "delete-replaced redis-container",
        "replace redis-container",
      ]);
      const info = await engine.getContainer(`${s.name}-redis`).inspect();
      assert.equal(info.Config.Healthcheck?.Interval, 2e9, "the running container has the new interval");
    },
  );

  test(
    "F8. replacing the network moves the container and removes the old network last",
    TIMEOUT,
    async () => {
      const before = (await s.outputs()).network as string;
      s.setConfig({ "t:internal": true, "t:interval": "2s" });
      const up = await s.up();
      assert.deepEqual(named(up.steps, "replace"), ["network-bridge", "redis-container"]);
      const order = up.steps.map((st) => `${st.op} ${st.name}`);
      assert.ok(
        order.indexOf("create-replacement network-bridge") <
          order.indexOf("create-replacement redis-container"),
        "the new network exists before the container moves",
      );
      assert.ok(
        order.indexOf("delete-replaced network-bridge") > order.indexOf("create-replacement redis-container"),
        "the old network goes last",
      );
      const after = (await s.outputs()).network as string;
      assert.notEqual(after, before, "a new network");
      const networks = (await engine.listNetworks()).map((n) => n.Name);
      assert.ok(!networks.includes(before), "the old network is gone");
      const info = await engine.getContainer(`${s.name}-redis`).inspect();
      assert.deepEqual(
        Object.keys(info.NetworkSettings.Networks),
        [after],
        "the container is on the new one",
      );
      assert.equal((await engine.getNetwork(after).inspect()).Internal, true);
    },
  );
});
