/**
 * Step j: two stacks at once on one engine. Both boot in parallel, every replay passes on each,
 * neither touches the other's objects, and each destroy removes only its own.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { labelled, testStack, type TestStack } from "./test-support";

const stacks: TestStack[] = [];
after(async () => {
  for (const s of stacks) await s.destroy().catch(() => undefined);
  for (const s of stacks) await s.dispose();
});

test("j. two stacks at once on one engine", { timeout: 15 * 60_000 }, async () => {
  stacks.push(await testStack("one"), await testStack("two"));
  const [one, two] = stacks;
  await Promise.all([one.up(), two.up()]);
  const [a, b] = await Promise.all([one.outputs(), two.outputs()]);
  assert.equal(a.replaysPassed, true, "every replay passed on the first stack");
  assert.equal(b.replaysPassed, true, "every replay passed on the second stack");
  assert.notEqual(a.edgeUrl, b.edgeUrl, "each has its own edge port");

  const [objectsOne, objectsTwo] = await Promise.all([labelled(one.label), labelled(two.label)]);
  assert.ok(objectsOne.length > 0 && objectsTwo.length > 0);
  assert.ok(
    objectsOne.every((o) => o.includes(one.name)),
    "the first stack's objects are named after it",
  );
  assert.ok(
    objectsTwo.every((o) => o.includes(two.name)),
    "the second stack's objects are named after it",
  );

  await one.destroy();
  assert.deepEqual(await labelled(one.label), [], "the first stack is gone");
  assert.deepEqual(await labelled(two.label), objectsTwo, "the second stack is untouched");
  assert.equal((await two.up({ expectNoChanges: true })).steps.length > 0, true, "and still plans no change");
  await two.destroy();
  assert.deepEqual(await labelled(two.label), []);
});
