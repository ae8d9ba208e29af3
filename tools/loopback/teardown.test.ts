import assert from "node:assert/strict";
import { test } from "node:test";
import { Teardown } from "./teardown";

test("teardown: stops in reverse start order, once, and reports every failed stop", async () => {
  const order: string[] = [];
  const teardown = new Teardown();
  teardown.add("postgres", async () => void order.push("postgres"));
  teardown.add("tenant", async () => {
    order.push("tenant");
    throw new Error("did not exit");
  });
  teardown.add("edge", async () => void order.push("edge"));
  const logged: string[] = [];
  await assert.rejects(
    teardown.run((line) => logged.push(line)),
    /teardown incomplete: tenant: did not exit/,
  );
  assert.deepEqual(
    order,
    ["edge", "tenant", "postgres"],
    "a failed stop does not keep the others from running",
  );
  assert.equal(logged.length, 1);
  await assert.rejects(teardown.run(), /teardown incomplete/, "a second run waits for the first");
  assert.deepEqual(order, ["edge", "tenant", "postgres"], "nothing is stopped twice");
});

test("teardown: something registered while tearing down (a boot step finishing late) is stopped at once", async () => {
  const teardown = new Teardown();
  let release: () => void = () => undefined;
  teardown.add("slow", () => new Promise<void>((resolve) => (release = resolve)));
  const running = teardown.run();
  let lateStopped = false;
  teardown.add("late", async () => void (lateStopped = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(lateStopped, true);
  release();
  await running;
  assert.equal(teardown.size, 0);
});
