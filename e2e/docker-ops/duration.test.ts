import assert from "node:assert/strict";
import { test } from "node:test";
import { parseGoDuration } from "./duration";

test("Go durations become nanoseconds, as the provider hands them to Docker", () => {
  assert.equal(parseGoDuration("1s"), 1e9);
  assert.equal(parseGoDuration("300ms"), 3e8);
  assert.equal(parseGoDuration("1m30s"), 90e9);
  assert.equal(parseGoDuration("1.5h"), 5400e9);
  assert.equal(parseGoDuration("2us"), 2000);
  assert.equal(parseGoDuration("0s"), 0);
  assert.equal(parseGoDuration(""), 0);
  assert.equal(parseGoDuration(undefined), 0);
  assert.equal(parseGoDuration("0"), 0);
});

test("a malformed or negative duration is an error naming it (the provider would silently send 0)", () => {
  assert.throws(() => parseGoDuration("1 s"), /"1 s" is not a Go duration/);
  assert.throws(() => parseGoDuration("30"), /not a Go duration/);
  assert.throws(() => parseGoDuration("-1s"), /negative/);
});
