import assert from "node:assert/strict";
import { test } from "node:test";
import type Docker from "dockerode";
import { waitHealthy } from "./health";

/** A container whose inspect walks through `states` (the last one repeats). */
function fakeContainer(states: object[]): Docker.Container & { inspections: number } {
  const fake = {
    inspections: 0,
    inspect: async () => ({ State: states[Math.min(fake.inspections++, states.length - 1)] }),
    logs: async () => Buffer.from("booting\nlistening on 8080\n"),
  };
  return fake as unknown as Docker.Container & { inspections: number };
}

const running = (status: string, log: object[] = []) => ({
  Running: true,
  ExitCode: 0,
  Health: { Status: status, Log: log },
});
const opts = { timeoutSeconds: 5, pollMs: 1 };

test("waits through `starting` until healthy", async () => {
  const c = fakeContainer([running("starting"), running("starting"), running("healthy")]);
  await waitHealthy(c, "x", opts);
  assert.equal(c.inspections, 3);
});

test("unhealthy: fails at once with the probes and the logs", async () => {
  const c = fakeContainer([running("unhealthy", [{ ExitCode: 1, Output: "connection refused" }])]);
  await assert.rejects(waitHealthy(c, "s-tenant-alpha", opts), (e: Error) => {
    assert.match(e.message, /container s-tenant-alpha is unhealthy/);
    assert.match(e.message, /exit 1: connection refused/);
    assert.match(e.message, /listening on 8080/);
    return true;
  });
});

test("exited before healthy: fails at once with the exit code", async () => {
  const c = fakeContainer([{ Running: false, ExitCode: 137, Health: { Status: "starting" } }]);
  await assert.rejects(waitHealthy(c, "x", opts), /exited \(code 137\) before it became healthy/);
});

test("timeout: names the setting that bounds the wait", async () => {
  let now = 0;
  const c = fakeContainer([running("starting")]);
  const clock = () => (now += 1000);
  await assert.rejects(
    waitHealthy(c, "x", { ...opts, timeoutSeconds: 3, now: clock }),
    /did not become healthy within 3 s \(harness:waitTimeoutSeconds\)/,
  );
});

test("no healthcheck: the wait cannot work, said plainly", async () => {
  await assert.rejects(
    waitHealthy(fakeContainer([{ Running: true }]), "x", opts),
    /has no healthcheck: the harness waits for every container to be healthy/,
  );
});

test("an interrupt ends the wait", async () => {
  const controller = new AbortController();
  const c = fakeContainer([running("starting")]);
  const waiting = waitHealthy(c, "x", { ...opts, pollMs: 10_000, signal: controller.signal });
  setTimeout(() => controller.abort(new Error("interrupted (SIGINT)")), 10);
  await assert.rejects(waiting, /interrupted/);
});
