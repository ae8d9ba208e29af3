import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SuiteCase } from "../program/contracts/summary";
import { capCases, countCases, JunitError, parseJunit } from "./junit-cases";

/** What pytest 9 writes with --junitxml (trimmed): a <testsuites> root, one <testsuite>. */
const PYTEST = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="5" time="0.123">
<testcase classname="test_api" name="test_health[alpha]" time="0.010" />
<testcase classname="test_api" name="test_cross_tenant" time="1,204.5"><failure message="AssertionError: expected 404, got 401&#10;assert 401 == 404">def test_cross_tenant():
&gt;       assert status == 404
E       AssertionError</failure></testcase>
<testcase classname="test_api" name="test_setup_broken" time="0.001"><error message="failed on setup with &quot;KeyError: 'BASE'&quot;">trace</error></testcase>
<testcase classname="test_api" name="test_later" time="0"><skipped type="pytest.skip" message="not on this tenant">skip reason</skipped></testcase>
<testcase classname="test_api" name="test_known_bug" time="0.002"><skipped type="pytest.xfail" message="" /></testcase>
</testsuite></testsuites>`;

describe("parseJunit", () => {
  test("pytest's report: every case with its status, classname, duration and reason", () => {
    assert.deepEqual(parseJunit(PYTEST), [
      { name: "test_health[alpha]", classname: "test_api", status: "PASS", durationMs: 10, message: "" },
      {
        name: "test_cross_tenant",
        classname: "test_api",
        status: "FAIL",
        durationMs: 1_204_500,
        message: "AssertionError: expected 404, got 401 ⏎ assert 401 == 404",
      },
      {
        name: "test_setup_broken",
        classname: "test_api",
        status: "FAIL",
        durationMs: 1,
        message: `failed on setup with "KeyError: 'BASE'"`,
      },
      {
        name: "test_later",
        classname: "test_api",
        status: "SKIP",
        durationMs: 0,
        message: "not on this tenant",
      },
      // No message: the type says why (pytest's xfail).
      {
        name: "test_known_bug",
        classname: "test_api",
        status: "SKIP",
        durationMs: 2,
        message: "pytest.xfail",
      },
    ]);
  });

  test("a <testsuite> root, nested suites, a failure with only text, a case without classname", () => {
    const xml = `<testsuite name="outer">
      <testcase name="a"/>
      <testsuite name="inner"><testcase name="b"><failure>
        first line of the trace
        second line</failure></testcase></testsuite>
      <testcase name="c" classname="k"><skipped/></testcase>
    </testsuite>`;
    assert.deepEqual(parseJunit(xml), [
      { name: "a", status: "PASS", durationMs: 0, message: "" },
      { name: "c", classname: "k", status: "SKIP", durationMs: 0, message: "" },
      { name: "b", status: "FAIL", durationMs: 0, message: "first line of the trace" },
    ]);
  });

  test("an empty report has no cases; a case with no name is still counted", () => {
    assert.deepEqual(parseJunit(`<testsuites/>`), []);
    assert.deepEqual(parseJunit(`<testsuites><testsuite><testcase/></testsuite></testsuites>`), [
      { name: "(unnamed test case)", status: "PASS", durationMs: 0, message: "" },
    ]);
  });

  test("malformed: says what is wrong and where", () => {
    const bad: [string, RegExp][] = [
      ["", /the file is empty/],
      [`<testsuites><testsuite name="x">`, /not well-formed XML \(line 1, column \d+\)/],
      [
        `<testsuites>\n<testcase name="a" name="b"/></testsuites>`,
        /not well-formed XML \(line 2, column \d+\): .*name/,
      ],
      [
        `<html><body>500</body></html>`,
        /not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>/,
      ],
      [`just text`, /not well-formed XML|not a JUnit report/],
    ];
    for (const [xml, message] of bad) {
      assert.throws(
        () => parseJunit(xml),
        (error: unknown) => {
          assert.ok(error instanceof JunitError, String(error));
          assert.match(error.message, message, JSON.stringify(xml));
          return true;
        },
      );
    }
  });
});

describe("case lists", () => {
  const mk = (n: number, failing: number[]): SuiteCase[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      status: failing.includes(i) ? "FAIL" : "PASS",
      durationMs: 0,
      message: "",
    }));

  test("capCases keeps every failing case first, then the others, in document order", () => {
    const kept = capCases(mk(10, [7, 9]), 4);
    assert.deepEqual(
      kept.map((c) => c.name),
      ["c0", "c1", "c7", "c9"],
    );
    assert.equal(capCases(mk(3, []), 4).length, 3);
  });

  test("countCases", () => {
    assert.equal(countCases(mk(3, [1])), "3 cases: 2 passed, 1 failed, 0 skipped");
    assert.equal(countCases(mk(1, [])), "1 case: 1 passed, 0 failed, 0 skipped");
  });
});
