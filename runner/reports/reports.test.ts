import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ReplaySummary } from "../../program/contracts/summary";
import { markdownCell, renderStepSummary } from "./github-summary";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { xmlSafe, xmlSafeAttribute } from "./xml-text";

const summary: ReplaySummary = {
  total: 2,
  passed: 1,
  failed: 1,
  skipped: 0,
  xfailed: 0,
  xpassed: 0,
  durationMs: 1234,
  results: [
    { name: "ok", status: "PASS", durationMs: 1000, closes: "#1", message: "fine" },
    { name: "bad", status: "FAIL", durationMs: 234, closes: null, message: "a | b <c> \u0000 \uD800" },
  ],
  reports: { json: "/r/results.json", junit: "/r/junit.xml", artifacts: "/r/artifacts" },
};

describe("report writers", () => {
  test("xmlSafe: control characters visible, ANSI stripped, lone surrogates replaced, text kept", () => {
    assert.equal(xmlSafe("a\u0001b\u001b[1;31mred\u001b[0m\tc\nd\u007f"), "a\\x01bred\tc\nd\\x7F");
    assert.equal(xmlSafe("x\uD800y\uDFFFz😀"), "x\uFFFDy\uFFFDz😀");
    assert.equal(xmlSafe("\uFFFE"), "\uFFFD");
    assert.equal(xmlSafeAttribute("a\nb\tc"), "a b c");
  });

  test("junit: well-formed, counts, and every odd character survives a parse", () => {
    const xml = renderJunit(summary, {
      suiteName: `replays ("x" & <y>)`,
      outputs: new Map([["bad", "out <&> ]]> \u0007 done"]]),
    });
    assert.equal(XMLValidator.validate(xml), true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    assert.equal(parsed.testsuites.name, `replays ("x" & <y>)`);
    const [ok, bad] = parsed.testsuites.testsuite.testcase;
    assert.equal(ok.time, "1.000");
    assert.equal(bad.failure.message, "a | b <c> \\x00 \uFFFD");
    assert.equal(bad["system-out"], "out <&> ]]> \\x07 done");
    assert.equal(parsed.testsuites.testsuite.failures, "1");
  });

  test("json: the summary, pretty-printed", () => {
    assert.deepEqual(JSON.parse(renderJson(summary)), summary);
  });

  test("step summary: header with the summary line, one row per replay, cells escaped", () => {
    const md = renderStepSummary(summary, "harness");
    assert.match(md, /^### Harness replays \(harness\): 1 passed, 1 failed, 0 skipped\n/);
    assert.match(md, /\| ❌ \| `bad` \| FAIL \| {2}\| 0\.2s \| a \\\| b &lt;c&gt; .* \|\n/);
    assert.equal(md.split("\n").filter((l) => l.startsWith("| ")).length, 3);
    assert.equal(markdownCell("x".repeat(400)).length, 300);
  });
});
