/**
 * L5, case 3: Ctrl-C / SIGTERM at any point tears the stack down. Interrupted during the boot (right
 * after the first container started, while images still build) and during the replays (when the
 * replays Command starts): the driver exits with the signal's code and leaves no labelled object and
 * no process of the stack behind.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { MARKERS } from "../../e2e/log";
import { cleanUp, labelledLeft, phaseLine, processesOfStack, startDriver, uniqueStack } from "./support";

const stacks: string[] = [];

after(async () => {
  for (const stack of stacks)
    assert.deepEqual(await cleanUp(stack), [], `${stack} left objects (removed now)`);
});

async function interrupt(
  kind: string,
  marker: RegExp,
  signal: "SIGINT" | "SIGTERM",
  expectedCode: number,
  t: { diagnostic(m: string): void },
) {
  const stack = uniqueStack(kind);
  stacks.push(stack);
  const driver = startDriver(stack);
  await driver.waitFor(marker);
  driver.child.kill(signal);
  const result = await driver.done;
  t.diagnostic(phaseLine(result));
  assert.equal(result.code, expectedCode, `exit after ${signal}: ${result.stderr.slice(-1500)}`);
  assert.equal(result.report?.result, "interrupted");
  assert.doesNotMatch(result.stderr, new RegExp(MARKERS.leak), "the destroy found nothing it had missed");
  assert.deepEqual(await labelledLeft(stack), [], "no object labelled for the stack is left");
  assert.deepEqual(processesOfStack(stack), [], "no process of the stack is left");
}

test(
  "SIGINT during the boot (after the first container started) tears everything down",
  { timeout: 10 * 60_000 },
  async (t) => {
    await interrupt("intboot", new RegExp(MARKERS.containerStarted("")), "SIGINT", 130, t);
  },
);

test(
  "SIGTERM during the replays tears everything down, the runner's processes included",
  { timeout: 15 * 60_000 },
  async (t) => {
    await interrupt("intreplay", new RegExp(MARKERS.commandRunning("replays-command")), "SIGTERM", 143, t);
  },
);
