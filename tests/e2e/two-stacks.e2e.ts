/**
 * L5, case 4: two stacks at once on one engine — both boot, both pass every replay, neither touches
 * the other (names, networks, ports, images are per stack), both leave nothing behind.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { cleanUp, labelledLeft, phaseLine, startDriver, uniqueStack } from "./support";

const stacks = [uniqueStack("twoa"), uniqueStack("twob")];

after(async () => {
  for (const stack of stacks)
    assert.deepEqual(await cleanUp(stack), [], `${stack} left objects (removed now)`);
});

test(
  "two stacks at once on one engine: both pass, no collision, nothing left",
  { timeout: 25 * 60_000 },
  async (t) => {
    const [a, b] = await Promise.all(stacks.map((stack) => startDriver(stack).done));
    for (const [stack, run] of [
      [stacks[0], a],
      [stacks[1], b],
    ] as const) {
      t.diagnostic(`${stack}: ${phaseLine(run)}`);
      assert.equal(
        run.code,
        0,
        `${stack} failed (exit ${run.code}): ${run.report?.error ?? run.stderr.slice(-2000)}`,
      );
      assert.deepEqual(
        (run.report?.results ?? []).filter((r) => r.status !== "PASS"),
        [],
        `${stack}: every replay passes`,
      );
      assert.deepEqual(run.report?.teardown?.leaks, []);
      assert.deepEqual(await labelledLeft(stack), []);
    }
    assert.notEqual(a.outputs?.edgeUrl, b.outputs?.edgeUrl, "each stack has its own edge port");
  },
);
