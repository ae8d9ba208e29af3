/** Assertions on a replay's verdict: against its bug it must FAIL, naming the bug; fixed, it must PASS. */
import assert from "node:assert/strict";
import type { ReplayResult, ReplaySummary } from "../../../program/contracts/summary";

/** The replay FAILed and its message matches every pattern (what broke, in the bug's own words). */
export function assertCaught(result: ReplayResult, ...patterns: RegExp[]): void {
  assert.equal(
    result.status,
    "FAIL",
    `${result.name} must FAIL against its bug, got ${result.status}: ${result.message}`,
  );
  // The evidence, in the test log: what the replay said about the bug.
  if (process.env.L4_SHOW_MESSAGES) process.stderr.write(`[l4] ${result.name} FAIL: ${result.message}\n`);
  for (const pattern of patterns) {
    assert.match(result.message, pattern, `${result.name}'s FAIL message must name the bug`);
  }
}

export function assertPassed(result: ReplayResult): void {
  assert.equal(
    result.status,
    "PASS",
    `${result.name} must PASS against the fixed behaviour: ${result.message}`,
  );
}

/** Every listed replay ran and passed (the fixed side of the L4 pairs, run once per file). */
export function assertAllPassed(summary: ReplaySummary, names: readonly string[]): void {
  assert.deepEqual(
    summary.results.map((r) => r.name).sort(),
    [...names].sort(),
    "the runner ran exactly these replays",
  );
  for (const result of summary.results) assertPassed(result);
}
