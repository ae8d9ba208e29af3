import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineReplay, isReplayDefinition, metaOf } from "./api";
import { describeError } from "./replay-worker";

const run = () => undefined;

describe("defineReplay", () => {
  test("returns a frozen, recognisable definition; metaOf drops run()", () => {
    const def = defineReplay({ closes: "#2397", proves: "404 for unknown", independent: true, run });
    assert.ok(isReplayDefinition(def));
    assert.ok(Object.isFrozen(def));
    assert.deepEqual(metaOf(def), { closes: "#2397", proves: "404 for unknown", independent: true });
    assert.equal(isReplayDefinition({ closes: null, proves: "x", run }), false);
  });

  const invalid: [string, unknown, RegExp][] = [
    ["closes missing", { proves: "x", run }, /`closes` must be an issue like "#2397", or null/],
    ["proves empty", { closes: null, proves: " ", run }, /`proves` must say/],
    ["xfail empty", { closes: null, proves: "x", xfail: "", run }, /`xfail` must be a non-empty reason/],
    [
      "independent not boolean",
      { closes: null, proves: "x", independent: "yes", run },
      /`independent` must be a boolean/,
    ],
    [
      "bad timeout",
      { closes: null, proves: "x", timeoutSeconds: -1, run },
      /`timeoutSeconds` must be a positive number/,
    ],
    ["no run", { closes: null, proves: "x" }, /`run\(ctx\)` must be a function/],
  ];
  for (const [name, input, message] of invalid) {
    test(`rejects: ${name}`, () => {
      assert.throws(() => defineReplay(input as never), message);
    });
  }
});

describe("describeError (the FAIL line of a thrown error)", () => {
  test("plain errors keep their message; other types are named; the rest goes to detail", () => {
    assert.equal(describeError(new Error("boom\nmore")).line, "boom");
    assert.match(describeError(new Error("boom\nmore")).detail, /^more\n/);
    assert.equal(describeError(new TypeError("x is undefined")).line, "TypeError: x is undefined");
    assert.equal(describeError("a string").line, "threw a non-error value: a string");
    const build = new Error("Build failed with 1 error:\nx.ts:3:0: ERROR: Unexpected end of file");
    assert.equal(
      describeError(build).line,
      "Build failed with 1 error: x.ts:3:0: ERROR: Unexpected end of file",
    );
  });
});
