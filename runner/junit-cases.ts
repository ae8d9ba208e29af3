/**
 * Reads the JUnit XML a suite wrote (pytest, Playwright, JUnit, go-junit-report, …) into its test
 * cases. Pure: text in, cases out; a file that is not well-formed XML, or not a
 * JUnit report, throws a JunitError saying what is wrong and where.
 *
 * Accepted shapes: a <testsuites> root or a single <testsuite> root, suites nested at any depth,
 * each <testcase> with `name`, optional `classname` and `time` (seconds). A case with <failure> or
 * <error> FAILs, one with <skipped> is SKIP (pytest's xfail too), any other PASSes.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { SuiteCase } from "../program/contracts/summary";
import { oneLine } from "./classify";

export class JunitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JunitError";
  }
}

/** Elements that may repeat: always read as lists. */
const LISTS = new Set(["testsuite", "testcase", "failure", "error", "skipped"]);
/** A case message in the summary stays one short line; the suite's output holds the rest. */
const MAX_CASE_MESSAGE = 300;

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  textNodeName: "#text",
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Numeric character references (&#10; in pytest's messages) are decoded too.
  htmlEntities: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => LISTS.has(name),
});

function asNode(value: unknown): Node {
  if (typeof value === "object" && value !== null) return value as Node;
  // `<failure>text</failure>` without attributes parses to its text; `<skipped/>` to "".
  return { "#text": typeof value === "string" ? value : "" };
}

function list(node: Node, key: string): Node[] {
  const value = node[key];
  return Array.isArray(value) ? value.map(asNode) : [];
}

function text(node: Node, key: string): string {
  const value = node[key];
  return typeof value === "string" ? value : "";
}

/** The reason a failure/error/skipped element gives: its message, else its first text line. */
function reason(node: Node): string {
  const message = text(node, "message").trim();
  if (message) return message;
  const first = text(node, "#text")
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  return first ?? text(node, "type").trim();
}

function seconds(value: string): number {
  const n = Number.parseFloat(value.replace(/,/g, ""));
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : 0;
}

function toCase(node: Node): SuiteCase {
  const failed = [...list(node, "failure"), ...list(node, "error")];
  const skipped = list(node, "skipped");
  const status: SuiteCase["status"] = failed.length > 0 ? "FAIL" : skipped.length > 0 ? "SKIP" : "PASS";
  const why = status === "FAIL" ? reason(failed[0]) || "failed" : status === "SKIP" ? reason(skipped[0]) : "";
  const classname = text(node, "classname");
  return {
    name: text(node, "name") || "(unnamed test case)",
    ...(classname ? { classname } : {}),
    status,
    durationMs: seconds(text(node, "time")),
    message: why ? oneLine(why, MAX_CASE_MESSAGE) : "",
  };
}

function collect(suite: Node, into: SuiteCase[]): void {
  for (const testcase of list(suite, "testcase")) into.push(toCase(testcase));
  for (const nested of list(suite, "testsuite")) collect(nested, into);
}

/** Every test case of a JUnit report, in document order. */
export function parseJunit(xml: string): SuiteCase[] {
  if (xml.trim() === "") throw new JunitError("the file is empty");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new JunitError(
      `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`,
    );
  }
  const doc = parser.parse(xml) as Node;
  const cases: SuiteCase[] = [];
  if (doc.testsuites !== undefined) {
    collect(asNode(doc.testsuites), cases);
  } else if (Array.isArray(doc.testsuite)) {
    for (const suite of doc.testsuite) collect(asNode(suite), cases);
  } else {
    const root = Object.keys(doc).find((k) => !k.startsWith("?") && k !== "#text");
    throw new JunitError(
      `not a JUnit report: the root element is <${root ?? "none"}>, not <testsuites> or <testsuite>`,
    );
  }
  return cases;
}

/**
 * At most `max` cases (the summary is a stack output and lives in Pulumi's state): the failing ones
 * first, the rest in document order; the kept cases stay in document order.
 */
export function capCases(cases: readonly SuiteCase[], max: number): SuiteCase[] {
  if (cases.length <= max) return [...cases];
  const keep = new Set<number>();
  cases.forEach((c, i) => c.status === "FAIL" && keep.size < max && keep.add(i));
  for (let i = 0; i < cases.length && keep.size < max; i++) keep.add(i);
  return cases.filter((_, i) => keep.has(i));
}

/** `14 cases: 12 passed, 1 failed, 1 skipped`. */
export function countCases(cases: readonly SuiteCase[]): string {
  const n = (status: SuiteCase["status"]) => cases.filter((c) => c.status === status).length;
  const noun = cases.length === 1 ? "case" : "cases";
  return `${cases.length} ${noun}: ${n("PASS")} passed, ${n("FAIL")} failed, ${n("SKIP")} skipped`;
}
