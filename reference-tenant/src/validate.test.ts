import assert from "node:assert/strict";
import { test } from "node:test";
import { timestamptzToRfc3339 } from "./db/pool";
import { decodedPath } from "./request-path";
import { isRfc3339, isUuid, redactUrl } from "./validate";

test("isUuid", () => {
  assert.equal(isUuid("3f1c8a2e-4b5d-4c6e-8f7a-9b0c1d2e3f4a"), true);
  assert.equal(isUuid("3F1C8A2E-4B5D-4C6E-8F7A-9B0C1D2E3F4A"), true);
  for (const bad of ["not-a-uuid", "' OR 1=1 --", "3f1c8a2e4b5d4c6e8f7a9b0c1d2e3f4a", "", 3]) {
    assert.equal(isUuid(bad), false, String(bad));
  }
});

test("isRfc3339: zone required, fractions allowed, impossible dates refused", () => {
  for (const ok of [
    "2026-05-01T00:00:00Z",
    "2026-05-01T10:11:12.123456+00:00",
    "2026-05-01T10:11:12.123456789-07:30",
    "2024-02-29t23:59:59z",
  ]) {
    assert.equal(isRfc3339(ok), true, ok);
  }
  for (const bad of [
    "garbage",
    "2026-05-01",
    "2026-05-01T00:00:00",
    "2026-05-01 00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-05-01T25:00:00Z",
    "2026-05-01T00:00:00+0000",
  ]) {
    assert.equal(isRfc3339(bad), false, bad);
  }
});

test("timestamptz text → RFC 3339 keeps microseconds", () => {
  assert.equal(timestamptzToRfc3339("2026-05-01 10:00:00.123456+00"), "2026-05-01T10:00:00.123456Z");
  assert.equal(timestamptzToRfc3339("2026-05-01 10:00:00+00"), "2026-05-01T10:00:00Z");
  assert.equal(timestamptzToRfc3339("2026-05-01 10:00:00.5+05:30"), "2026-05-01T10:00:00.5+05:30");
  assert.equal(timestamptzToRfc3339("2026-05-01 10:00:00-07"), "2026-05-01T10:00:00-07:00");
  assert.equal(timestamptzToRfc3339("infinity"), "infinity");
});

test("decodedPath and redactUrl", () => {
  assert.equal(decodedPath("/a%20b?x=%20"), "/a b");
  assert.equal(decodedPath("/%zz"), null);
  assert.equal(redactUrl("postgres://u:secret@h:5/db"), "postgres://u:***@h:5/db");
  assert.doesNotMatch(redactUrl("redis://:pw@h:6379"), /pw/);
});
