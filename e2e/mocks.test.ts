import assert from "node:assert/strict";
import { test } from "node:test";
import type Docker from "dockerode";
import { Cancellation } from "./cancel";
import { Ledger } from "./ledger";
import { memoryLog } from "./log";
import { dockerMocks, EMULATED } from "./mocks";
import { Timings } from "./timings";

function mocks() {
  const log = memoryLog();
  return {
    log,
    mocks: dockerMocks({
      docker: {} as Docker,
      log,
      cancel: new Cancellation(),
      ledger: Ledger.open(undefined, { project: "harness", stack: "t" }),
      timings: new Timings(),
    }),
  };
}

test("the emulated resource types are exactly the ones the program declares", () => {
  assert.deepEqual(Object.keys(EMULATED).sort(), [
    "command:local:Command",
    "docker:index/container:Container",
    "docker:index/image:Image",
    "docker:index/network:Network",
    "docker:index/remoteImage:RemoteImage",
  ]);
});

test("components exist only in Pulumi's graph: nothing is created", async () => {
  const { mocks: m } = mocks();
  assert.deepEqual(
    await m.newResource({ type: "harness:index:Redis", name: "redis", inputs: {}, custom: false }),
    {
      id: undefined,
      state: {},
    },
  );
});

test("an unknown resource type or input fails loudly instead of creating something else", async () => {
  const { mocks: m, log } = mocks();
  await assert.rejects(
    async () => m.newResource({ type: "docker:index/volume:Volume", name: "v", inputs: {}, custom: true }),
    /does not emulate docker:index\/volume:Volume \(v\)/,
  );
  await assert.rejects(
    async () =>
      m.newResource({
        type: "docker:index/network:Network",
        name: "n",
        inputs: { name: "x", ipv6: true },
        custom: true,
      }),
    /input\(s\) ipv6 are not emulated/,
  );
  assert.match(log.lines.join("\n"), /n failed: .*ipv6/);
});
