import assert from "node:assert/strict";
import { test } from "node:test";
import { formatGoals, GOALS, judgeGoals } from "./goals";

const all = (value: number | null) =>
  Object.fromEntries(Object.keys(GOALS).map((k) => [k, value])) as Parameters<typeof judgeGoals>[0];

test("goals: met when at most the bound, missed above it, null when not measured", () => {
  const judged = judgeGoals({ ...all(0.1), bootToHealthyMs: 5000, teardownMs: 2001 });
  assert.equal(judged.goals.bootToHealthyMs.met, true);
  assert.equal(judged.goals.teardownMs.met, false);
  assert.equal(judged.goals.upVsBaselineBoot.key, "ratios.upVsBaselineBoot.median");
  assert.equal(judged.met, false);
  assert.equal(judgeGoals({ ...all(0.1), unchangedUpMs: null }).met, null);
  assert.equal(judgeGoals(all(0.1)).met, true);
});

test("goals: one readable line each, saying which are missed", () => {
  const lines = formatGoals(judgeGoals({ ...all(0.1), bootToHealthyMs: 9000 }).goals);
  assert.equal(lines.length, Object.keys(GOALS).length);
  assert.match(lines[0], /MISSED.*boot to all healthy ≤ 5 s: 9,000 ms \(max 5,000 ms\)/);
  assert.match(lines[1], /met .*0\.1× \(max 0\.3×\)/);
});
