import assert from "node:assert/strict";
import { test } from "node:test";
import { median, stat } from "./stats";

test("median of odd and even counts; runs that did not measure are left out", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 3);
  assert.equal(median([]), null);
  assert.deepEqual(stat([10, undefined, 30]), { median: 20, runs: [10, null, 30] });
});
