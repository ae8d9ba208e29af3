import assert from "node:assert/strict";
import { test } from "node:test";
import { RateLimiter } from "./rate-limit";

test("rate limiter: per key, per window, with reset information", () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(2, 60_000, () => now);
  assert.deepEqual(
    [limiter.take("a").allowed, limiter.take("a").allowed, limiter.take("a").allowed],
    [true, true, false],
  );
  assert.equal(limiter.take("b").allowed, true, "other clients are unaffected");
  const denied = limiter.take("a");
  assert.equal(denied.remaining, 0);
  assert.equal(denied.resetInSeconds, 60);
  now += 30_000;
  assert.equal(limiter.take("a").resetInSeconds, 30);
  now += 30_000;
  const fresh = limiter.take("a");
  assert.equal(fresh.allowed, true, "a new window starts");
  assert.equal(fresh.remaining, 1);
});
