/**
 * `<reportsDir>/junit.xml`: one testsuite, one testcase per replay. FAIL and XPASS are <failure>
 * (XPASS: a stale xfail marker fails the gate), SKIP and XFAIL are <skipped>. Each testcase carries
 * the tail of the replay's output in <system-out>. Escaping is done by xmlbuilder2.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { create } from "xmlbuilder2";
import type { ReplaySummary } from "../../contracts/summary";
import { xmlSafe, xmlSafeAttribute } from "./xml-text";

export interface JunitOptions {
  /** testsuite name, e.g. "replays (harness)". */
  suiteName: string;
  /** Output tail per replay name (bounded by the runner). */
  outputs?: ReadonlyMap<string, string>;
  /** When the run started (ISO 8601). */
  timestamp?: string;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJunit(summary: ReplaySummary, options: JunitOptions): string {
  const failures = summary.failed + summary.xpassed;
  const skipped = summary.skipped + summary.xfailed;
  // One suite: the <testsuites> wrapper carries the same totals as it.
  const totals = {
    name: xmlSafeAttribute(options.suiteName),
    tests: String(summary.total),
    failures: String(failures),
    errors: "0",
    skipped: String(skipped),
    time: seconds(summary.durationMs),
  };
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", totals);
  const suite = root.ele("testsuite", {
    ...totals,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
  for (const result of summary.results) {
    const testcase = suite.ele("testcase", {
      name: xmlSafeAttribute(result.name),
      classname: "replays",
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
    const output = options.outputs?.get(result.name);
    if (output) testcase.ele("system-out").txt(xmlSafe(output));
  }
  return root.end({ prettyPrint: true });
}

export function writeJunitReport(file: string, summary: ReplaySummary, options: JunitOptions): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${renderJunit(summary, options)}\n`);
}
