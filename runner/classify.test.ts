import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classify, withoutFailPrefix, type Outcome } from "./classify";
import { digestOutput, OutputScanner, parseMarker } from "./output-scanner";

function outcome(exitCode: number | null, output = "", extra: Partial<Outcome> = {}): Outcome {
  return {
    exitCode,
    signal: null,
    timedOut: false,
    timeoutSeconds: 30,
    interrupted: false,
    spawnError: null,
    digest: digestOutput(output),
    ...extra,
  };
}

describe("classify", () => {
  const table: [string, Outcome, { xfail?: string; proves?: string }, string, RegExp][] = [
    [
      "exit 0 → PASS with proves",
      outcome(0, "ok\n"),
      { proves: "the guard holds" },
      "PASS",
      /^the guard holds$/,
    ],
    [
      "exit 0 → PASS with the last PASS line",
      outcome(0, "[replay] PASS: 3/3 hold\n"),
      {},
      "PASS",
      /^3\/3 hold$/,
    ],
    [
      "skip marker + exit 0 → SKIP",
      outcome(0, "[replay] __SKIP__:#2863:CP-stub 401\n"),
      {},
      "SKIP",
      /^CP-stub 401$/,
    ],
    [
      "xfail marker + exit 0 → XFAIL",
      outcome(0, "x\n[replay] __XFAIL__:#2865:moved\n"),
      {},
      "XFAIL",
      /^moved$/,
    ],
    [
      "skip marker but exit 1 → FAIL",
      outcome(1, "[replay] __SKIP__:#1:r\nFAIL boom\n"),
      {},
      "FAIL",
      /^boom$/,
    ],
    ["marker not at line start → PASS", outcome(0, "say [replay] __SKIP__:#1:r\n"), {}, "PASS", /passed/],
    [
      "exit 1 with FAIL line → FAIL, prefix dropped",
      outcome(1, "a\n[replay] FAIL: B1 got 200\nFAIL: later\n"),
      {},
      "FAIL",
      /^B1 got 200$/,
    ],
    [
      "exit 3, no FAIL line → last line + code",
      outcome(3, "first\nlast words\n"),
      {},
      "FAIL",
      /^last words \(exit code 3\)$/,
    ],
    ["exit 2, silent → says so", outcome(2, ""), {}, "FAIL", /exited with exit code 2 and printed nothing/],
    ["killed by signal", outcome(null, "x\n", { signal: "SIGKILL" }), {}, "FAIL", /killed by SIGKILL/],
    [
      "timeout → FAIL timed out",
      outcome(null, "", { timedOut: true, signal: "SIGTERM", timeoutSeconds: 7 }),
      {},
      "FAIL",
      /^timed out after 7s$/,
    ],
    [
      "timeout beats a declared xfail",
      outcome(null, "", { timedOut: true, timeoutSeconds: 2 }),
      { xfail: "#9" },
      "FAIL",
      /timed out/,
    ],
    [
      "declared xfail + failure → XFAIL",
      outcome(1, "FAIL: still broken\n"),
      { xfail: "#2865 moved" },
      "XFAIL",
      /#2865 moved \(failed as expected: still broken\)/,
    ],
    [
      "declared xfail + pass → XPASS",
      outcome(0, "fine\n"),
      { xfail: "#2865" },
      "XPASS",
      /declared xfail \(#2865\) but it passed/,
    ],
    [
      "declared xfail + skip marker → SKIP",
      outcome(0, "[replay] __SKIP__::later\n"),
      { xfail: "#1" },
      "SKIP",
      /^later$/,
    ],
    [
      "spawn error → FAIL could not start",
      outcome(null, "", { spawnError: "spawn bash ENOENT" }),
      {},
      "FAIL",
      /could not start: spawn bash ENOENT/,
    ],
    [
      "interrupted → FAIL",
      outcome(null, "", { interrupted: true, signal: "SIGTERM" }),
      {},
      "FAIL",
      /interrupted/,
    ],
    ["ANSI colours are ignored", outcome(1, "\x1b[31mFAIL\x1b[0m: red\n"), {}, "FAIL", /^red$/],
    ["CRLF output", outcome(0, "[replay] __SKIP__:#3:windows\r\n"), {}, "SKIP", /^windows$/],
  ];
  for (const [name, input, declared, status, message] of table) {
    test(name, () => {
      const result = classify(input, declared);
      assert.equal(result.status, status);
      assert.match(result.message, message);
      assert.ok(!result.message.includes("\n"), "one line");
    });
  }

  test("a multi-line or huge message is one bounded line", () => {
    const result = classify(outcome(0, ""), { proves: `a\nb${"x".repeat(2000)}` });
    assert.ok(!result.message.includes("\n"));
    assert.ok(result.message.length <= 500);
  });

  test("withoutFailPrefix", () => {
    assert.equal(withoutFailPrefix("[replay] FAIL: x y"), "x y");
    assert.equal(withoutFailPrefix("FAIL x"), "x");
    assert.equal(withoutFailPrefix("[run-all] ✗ z"), "z");
    assert.equal(withoutFailPrefix("FAIL"), "FAIL");
  });
});

describe("markers and the output scanner", () => {
  test("parseMarker reads issue and reason in the anchor's shapes", () => {
    assert.deepEqual(parseMarker("[replay] __SKIP__:#2863:CP-stub 401 on start", "__SKIP__"), {
      issue: "#2863",
      reason: "CP-stub 401 on start",
    });
    assert.deepEqual(parseMarker("[replay] __XFAIL__::no issue", "__XFAIL__"), {
      issue: null,
      reason: "no issue",
    });
    assert.deepEqual(parseMarker("[replay] __SKIP__: workspace/a2a_client.py is pre-#2399", "__SKIP__"), {
      issue: null,
      reason: "workspace/a2a_client.py is pre-#2399",
    });
    assert.deepEqual(parseMarker("[replay] __SKIP__", "__SKIP__"), {
      issue: null,
      reason: "(no reason given)",
    });
    assert.deepEqual(parseMarker("[replay] __SKIP__:JIRA-12:r: with colon", "__SKIP__"), {
      issue: "JIRA-12",
      reason: "r: with colon",
    });
  });

  test("markers split across chunks, multi-byte characters split across chunks", () => {
    const scanner = new OutputScanner();
    const bytes = Buffer.from("noise\n[replay] __SK");
    scanner.feed(bytes);
    scanner.feed("IP__:#7:naïve ✓\n");
    const euro = Buffer.from("€\n");
    scanner.feed(euro.subarray(0, 1));
    scanner.feed(euro.subarray(1));
    const digest = scanner.finish();
    assert.deepEqual(digest.skip, { issue: "#7", reason: "naïve ✓" });
    assert.equal(digest.lastLine, "€");
  });

  test("a last line without newline counts", () => {
    assert.equal(digestOutput("a\n[replay] __XFAIL__:#1:x").xfail?.reason, "x");
  });

  test("memory stays bounded: the tail keeps the last bytes, a giant line is cut", () => {
    const scanner = new OutputScanner({ tailBytes: 1024, maxLineBytes: 100 });
    const chunk = Buffer.alloc(64 * 1024, "y");
    for (let i = 0; i < 160; i++) scanner.feed(chunk); // 10 MB, one line
    scanner.feed("\nFAIL: the end\n");
    const digest = scanner.finish();
    assert.equal(digest.totalBytes, 160 * 64 * 1024 + 15);
    assert.ok(Buffer.byteLength(digest.tail) <= 1024);
    assert.ok(digest.tail.endsWith("FAIL: the end\n"));
    assert.equal(digest.tailTruncated, true);
    assert.equal(digest.firstFailLine, "FAIL: the end");
  });
});
