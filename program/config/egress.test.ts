import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "./errors";
import { parseHarnessConfig, type ParseContext } from "./parse";

const ctx: ParseContext = {
  project: "harness",
  stack: "harness",
  repoRoot: "/repo",
  env: {},
  isDirectory: (p) => p === "/repo/replays",
  isFile: () => false,
};
const parse = (egress?: unknown) =>
  parseHarnessConfig(egress === undefined ? {} : { egress: JSON.stringify(egress) }, ctx).egress;

test("harness:egress defaults to fail with nothing allowed, and takes mode and host patterns", () => {
  assert.deepEqual(parse(), { mode: "fail", allow: [] });
  assert.deepEqual(parse({ mode: "warn", allow: ["api.stripe.com", "*.sentry.io"] }), {
    mode: "warn",
    allow: ["api.stripe.com", "*.sentry.io"],
  });
});

test("harness:egress: bad input says what is wrong and how to fix it", () => {
  for (const [value, expected] of [
    [{ mode: "block" }, /egress\.mode.*fail or warn/s],
    [{ allow: "x.example" }, /egress\.allow.*list/s],
    [{ allow: ["https://x.example/"] }, /not a host pattern.*\*\.example\.com/s],
    [{ deny: [] }, /deny/],
    ["yes", /egress.*must be an object/s],
  ] as const) {
    assert.throws(
      () => parse(value),
      (e: unknown) => e instanceof ConfigError && expected.test(e.message),
      JSON.stringify(value),
    );
  }
});
