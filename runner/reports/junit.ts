/**
 * `<reportsDir>/junit.xml`: one testsuite of the replays, one testcase per replay. FAIL and XPASS are
 * <failure> (XPASS: a stale xfail marker fails the gate), SKIP and XFAIL are <skipped>. Each testcase
 * carries the tail of the replay's output in <system-out>. Then one testsuite per suite of the stack
 * (`harness:suites`) with the cases its own JUnit file held, and the suite's output tail; a suite
 * without cases, or whose FAIL no case shows (a timeout, a malformed JUnit file, a crash), also gets
 * a testcase of its own carrying its status. Escaping is done by xmlbuilder2.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import type { ReplayResult, ReplaySummary, SuiteCase } from "../../program/contracts/summary";
import { egressNotes } from "../egress";
import { xmlSafe, xmlSafeAttribute } from "./xml-text";

export interface JunitOptions {
  /** testsuite name of the replays, e.g. "replays (harness)". */
  suiteName: string;
  /** Output tail per replay name (bounded by the runner). */
  outputs?: ReadonlyMap<string, string>;
  /** Output tail per suite name (bounded by the runner). */
  suiteOutputs?: ReadonlyMap<string, string>;
  /** When the run started (ISO 8601). */
  timestamp?: string;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
  ms: number;
}

function addResultCase(suite: XMLBuilder, result: ReplayResult, classname: string, output?: string): void {
  const testcase = suite.ele("testcase", {
    name: xmlSafeAttribute(result.name),
    classname,
    time: seconds(result.durationMs),
  });
  // properties first, as pytest writes them; then failure/skipped; then system-out.
  const properties = testcase.ele("properties");
  properties.ele("property", { name: "status", value: result.status });
  if (result.closes) properties.ele("property", { name: "closes", value: xmlSafeAttribute(result.closes) });
  const message = xmlSafeAttribute(result.message);
  switch (result.status) {
    case "FAIL":
      testcase.ele("failure", { message, type: "FAIL" }).txt(xmlSafe(result.message));
      break;
    case "XPASS":
      testcase.ele("failure", { message, type: "XPASS" }).txt(xmlSafe(result.message));
      break;
    case "SKIP":
      testcase.ele("skipped", { message });
      break;
    case "XFAIL":
      testcase.ele("skipped", { message: `expected failure: ${message}` });
      break;
    case "PASS":
      break;
  }
  if (output) testcase.ele("system-out").txt(xmlSafe(output));
}

function addCase(suite: XMLBuilder, c: SuiteCase, fallbackClassname: string): void {
  const testcase = suite.ele("testcase", {
    name: xmlSafeAttribute(c.name),
    classname: xmlSafeAttribute(c.classname ?? fallbackClassname),
    time: seconds(c.durationMs),
  });
  const message = xmlSafeAttribute(c.message);
  if (c.status === "FAIL") testcase.ele("failure", { message, type: "FAIL" }).txt(xmlSafe(c.message));
  if (c.status === "SKIP") testcase.ele("skipped", { message });
}

function resultCounts(results: readonly ReplayResult[]): Counts {
  return {
    tests: results.length,
    failures: results.filter((r) => r.status === "FAIL" || r.status === "XPASS").length,
    skipped: results.filter((r) => r.status === "SKIP" || r.status === "XFAIL").length,
    ms: results.reduce((sum, r) => sum + r.durationMs, 0),
  };
}

function attributes(name: string, counts: Counts, timestamp?: string) {
  return {
    name: xmlSafeAttribute(name),
    tests: String(counts.tests),
    failures: String(counts.failures),
    errors: "0",
    skipped: String(counts.skipped),
    time: seconds(counts.ms),
    ...(timestamp ? { timestamp } : {}),
  };
}

/** A suite's own testcase is needed when its cases do not show its status. */
function needsOwnCase(result: ReplayResult): boolean {
  const cases = result.cases ?? [];
  if (cases.length === 0) return true;
  return result.status !== "PASS" && !cases.some((c) => c.status === "FAIL");
}

export function renderJunit(summary: ReplaySummary, options: JunitOptions): string {
  const replays = summary.results.filter((r) => r.kind !== "suite");
  const suites = summary.results.filter((r) => r.kind === "suite");
  const replayCounts = { ...resultCounts(replays), ms: summary.durationMs };
  const suiteCounts = suites.map((s): Counts => {
    const own = needsOwnCase(s) ? resultCounts([s]) : { tests: 0, failures: 0, skipped: 0, ms: 0 };
    const cases = s.cases ?? [];
    return {
      tests: own.tests + cases.length,
      failures: own.failures + cases.filter((c) => c.status === "FAIL").length,
      skipped: own.skipped + cases.filter((c) => c.status === "SKIP").length,
      ms: s.durationMs,
    };
  });
  const total = suiteCounts.reduce(
    (sum, c) => ({
      tests: sum.tests + c.tests,
      failures: sum.failures + c.failures,
      skipped: sum.skipped + c.skipped,
      ms: sum.ms,
    }),
    replayCounts,
  );

  const root = create({ version: "1.0", encoding: "UTF-8" }).ele(
    "testsuites",
    attributes(options.suiteName, total),
  );
  const replaySuite = root.ele("testsuite", attributes(options.suiteName, replayCounts, options.timestamp));
  // Issue 14: egress attempts outside any replay (boot, seed), as the suite's properties.
  const notes = egressNotes(summary.egress);
  if (notes.length > 0) {
    const properties = replaySuite.ele("properties");
    for (const note of notes) properties.ele("property", { name: "egress", value: xmlSafeAttribute(note) });
  }
  for (const result of replays)
    addResultCase(replaySuite, result, "replays", options.outputs?.get(result.name));

  suites.forEach((result, i) => {
    const name = `suite ${result.name}`;
    const suite = root.ele("testsuite", attributes(name, suiteCounts[i], result.startedAt));
    const properties = suite.ele("properties");
    properties.ele("property", { name: "status", value: result.status });
    properties.ele("property", { name: "message", value: xmlSafeAttribute(result.message) });
    for (const c of result.cases ?? []) addCase(suite, c, result.name);
    if (needsOwnCase(result)) addResultCase(suite, result, "suites");
    const output = options.suiteOutputs?.get(result.name);
    if (output) suite.ele("system-out").txt(xmlSafe(output));
  });
  return root.end({ prettyPrint: true });
}

export function writeJunitReport(file: string, summary: ReplaySummary, options: JunitOptions): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${renderJunit(summary, options)}\n`);
}
