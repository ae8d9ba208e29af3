import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCli, UsageError } from "./args";

test("run: defaults, overrides, keep-up from the flag or KEEP_UP=1", () => {
  assert.deepEqual(parseCli(["run"]), {
    command: "run",
    stack: "e2e",
    stackConfig: "e2e",
    config: {},
    outputs: undefined,
    report: undefined,
    keepUp: false,
  });
  const r = parseCli(
    [
      "run",
      "--stack",
      "ci-7",
      "--config",
      'harness:tenants=[{"name":"solo"}]',
      "--config",
      "harness:gitSha=abc=def",
    ],
    {
      KEEP_UP: "1",
    },
  );
  assert.equal(r.command, "run");
  if (r.command !== "run") return;
  assert.equal(r.stack, "ci-7");
  assert.deepEqual(r.config, { "harness:tenants": '[{"name":"solo"}]', "harness:gitSha": "abc=def" });
  assert.equal(r.keepUp, true);
  assert.equal((parseCli(["up"]) as { keepUp: boolean }).keepUp, true);
});

test("down: every --stack, or none (= the recorded ones)", () => {
  assert.deepEqual(parseCli(["down"]), { command: "down", stacks: [] });
  assert.deepEqual(parseCli(["down", "--stack", "a", "--stack", "b"]), {
    command: "down",
    stacks: ["a", "b"],
  });
});

test("mistakes are usage errors", () => {
  assert.throws(() => parseCli([]), UsageError);
  assert.throws(() => parseCli(["explode"]), /unknown command "explode"/);
  assert.throws(() => parseCli(["run", "--config", "gitSha=x"]), /namespace:key/);
  assert.throws(() => parseCli(["run", "--bogus"]), UsageError);
});
