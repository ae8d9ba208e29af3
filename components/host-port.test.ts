import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePort } from "./host-port";

describe("parsePort (what the free-port pick printed)", () => {
  test("accepts a port, surrounding whitespace and a trailing newline allowed", () => {
    assert.equal(parsePort("54321"), 54321);
    assert.equal(parsePort("54321\n"), 54321);
    assert.equal(parsePort("  8080 "), 8080);
    assert.equal(parsePort("1"), 1);
    assert.equal(parsePort("65535"), 65535);
  });

  test("refuses anything that is not a port, quoting what was printed", () => {
    for (const bad of [
      "",
      "\n",
      "0",
      "65536",
      "-1",
      "80.5",
      "abc",
      "8080 8081",
      "Error: EADDRNOTAVAIL",
      "0x50",
      "1e3",
      "0b1",
    ]) {
      assert.throws(
        () => parsePort(bad),
        (e: Error) => e.message === `picking a free port printed ${JSON.stringify(bad)}, not a port`,
        JSON.stringify(bad),
      );
    }
  });
});
