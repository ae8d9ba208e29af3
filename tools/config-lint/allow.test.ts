/** The allow file: reasoned, stale and malformed entries (tools/config-lint/allow.ts). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { applyAllow, parseAllowFile } from "./allow";
import { BadInput } from "./errors";
import type { Finding } from "./rules";
import { fixture } from "./test-support";

const missing = (variable: string): Finding => ({
  rule: "missing",
  variable,
  tenants: ["alpha"],
  severity: "error",
  message: "production sets it",
  fix: "set it",
});

describe("reasoned entries", () => {
  test("an entry covers its rule for its variable: allowed, with the reason", () => {
    const entries = parseAllowFile(
      readFileSync(fixture("allow/reasoned.yaml"), "utf8"),
      "harness.drift.yaml",
    );
    const out = applyAllow([missing("FEATURE_FLAGS_URL"), missing("OTHER")], entries, "harness.drift.yaml");
    assert.deepEqual(
      out.map((f) => [f.variable, f.severity]),
      [
        ["FEATURE_FLAGS_URL", "allowed"],
        ["OTHER", "error"],
      ],
    );
    assert.match(out[0].reason!, /the flag service is a SaaS/);
  });
  test("an entry for another rule does not cover it", () => {
    const entries = parseAllowFile(
      "allow:\n  - {name: FEATURE_FLAGS_URL, rule: extra, reason: x}\n",
      "a.yaml",
    );
    const out = applyAllow([missing("FEATURE_FLAGS_URL")], entries, "a.yaml");
    assert.deepEqual(
      out.map((f) => `${f.severity} ${f.rule}`),
      ["error missing", "error stale-allow"],
    );
  });
  test("an empty file, or `allow:` with nothing under it: no entries", () => {
    assert.deepEqual(parseAllowFile("", "a.yaml"), []);
    assert.deepEqual(parseAllowFile("# nothing yet\nallow:\n", "a.yaml"), []);
  });
});

test("stale: an entry that matches nothing is an error that says to remove it", () => {
  const entries = parseAllowFile(readFileSync(fixture("allow/reasoned.yaml"), "utf8"), "harness.drift.yaml");
  const out = applyAllow([], entries, "harness.drift.yaml");
  assert.equal(out.length, 1);
  assert.equal(out[0].rule, "stale-allow");
  assert.equal(out[0].severity, "error");
  assert.equal(out[0].variable, "FEATURE_FLAGS_URL");
  assert.match(
    out[0].message,
    /entry 1 of harness\.drift\.yaml allows a `missing` difference that no longer exists/,
  );
  assert.match(out[0].fix, /remove the entry/);
});

describe("malformed: a bad input, each with its own message", () => {
  const cases: [string, string, RegExp][] = [
    [
      "no reason",
      readFileSync(fixture("allow/no-reason.yaml"), "utf8"),
      /entry 1 \(FEATURE_FLAGS_URL, missing\) has no reason/,
    ],
    ["empty reason", "allow:\n  - {name: A, rule: missing, reason: '  '}\n", /has no reason/],
    ["bad YAML", "allow:\n  - name: A\n   rule: x\n", /is not valid YAML \(line \d+\)/],
    ["not a map", "- name: A\n", /must be a map with an `allow` list, got a list/],
    ["allow not a list", "allow: {name: A}\n", /`allow` must be a list of \{name, rule, reason\}, got a map/],
    ["unknown top-level key", "allowed: []\n", /unknown key\(s\) allowed; the only key is `allow`/],
    ["entry not a map", "allow:\n  - A\n", /entry 1 must be a map \{name, rule, reason\}, got string/],
    ["no name", "allow:\n  - {rule: missing, reason: r}\n", /entry 1 has no `name`/],
    [
      "bad rule",
      "allow:\n  - {name: A, rule: stale-allow, reason: r}\n",
      /`rule` must be one of missing, extra, value/,
    ],
    [
      "unknown entry key",
      "allow:\n  - {name: A, rule: missing, reason: r, tenant: alpha}\n",
      /unknown key\(s\) tenant/,
    ],
    [
      "duplicate entry",
      "allow:\n  - {name: A, rule: missing, reason: r}\n  - {name: A, rule: missing, reason: s}\n",
      /entry 2 repeats entry 1 \(A, missing\)/,
    ],
  ];
  for (const [what, text, expected] of cases) {
    test(what, () => {
      assert.throws(
        () => parseAllowFile(text, "harness.drift.yaml"),
        (e: unknown) =>
          e instanceof BadInput && expected.test(e.message) && e.message.includes("harness.drift.yaml"),
      );
    });
  }
});
