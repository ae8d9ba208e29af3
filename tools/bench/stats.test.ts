import assert from "node:assert/strict";
import { test } from "node:test";
import { median, ratio, ratioStat, stat } from "./stats";

test("median of odd and even counts; runs that did not measure are left out", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 3);
  assert.equal(median([]), null);
  assert.deepEqual(stat([10, undefined, 30]), { median: 20, runs: [10, null, 30] });
});

test("ratios pair run i with run i; the median keeps decimals", () => {
  assert.deepEqual(ratioStat([5000, 6000, null], [10_000, 12_000, 9000]), {
    median: 0.5,
    runs: [0.5, 0.5, null],
  });
  assert.deepEqual(ratioStat([1, 3], [3, 3]), { median: 0.667, runs: [0.333, 1] });
  assert.deepEqual(ratioStat([1000], []), { median: null, runs: [null] });
  assert.equal(ratio(1, 0), null);
});
