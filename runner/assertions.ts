/**
 * Assertions for replays. Each failure message is one line that names what was checked, what was
 * expected, what happened, and (for HTTP) the request and an excerpt of the body — the first line a
 * reader sees should make the bug obvious. Usable from `ctx` and as a plain import.
 */
import { inspect, isDeepStrictEqual } from "node:util";

/** A replay assertion that did not hold; the host prints `message` as the FAIL line. */
export class ReplayAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayAssertionError";
  }
}

/** What assertions need from an HTTP response (HttpResponse satisfies it). */
export interface ResponseLike {
  status: number;
  text: string;
  /** e.g. `GET /workspaces (Host: harness-tenant-beta.localhost)`. */
  describe?: string;
  header?(name: string): string | undefined;
}

const EXCERPT = 300;

/** The start of a body, on one line, for messages. */
export function excerpt(text: string, max = EXCERPT): string {
  if (text === "") return "(empty body)";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}… (${text.length} chars)` : flat;
}

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Infinity, maxStringLength: EXCERPT, maxArrayLength: 20 });
}

function prefix(what: string | undefined): string {
  return what ? `${what}: ` : "";
}

function from(res: ResponseLike): string {
  return res.describe ? ` from ${res.describe}` : "";
}

export function fail(message: string): never {
  throw new ReplayAssertionError(message);
}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

export function expectEqual<T>(actual: unknown, expected: T, what?: string): asserts actual is T {
  if (!isDeepStrictEqual(actual, expected)) {
    fail(`${prefix(what)}expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function expectNotEqual(actual: unknown, unexpected: unknown, what?: string): void {
  if (isDeepStrictEqual(actual, unexpected)) fail(`${prefix(what)}expected anything but ${show(unexpected)}`);
}

export function expectMatch(text: string, pattern: RegExp, what?: string): RegExpExecArray {
  const match = pattern.exec(text);
  if (!match) fail(`${prefix(what)}expected text matching ${pattern}, got ${show(excerpt(text))}`);
  return match;
}

export function expectNoMatch(text: string, pattern: RegExp, what?: string): void {
  const match = pattern.exec(text);
  if (match)
    fail(
      `${prefix(what)}expected no match for ${pattern}, found ${show(match[0])} in ${show(excerpt(text))}`,
    );
}

export function expectIncludes(haystack: string | readonly unknown[], needle: unknown, what?: string): void {
  const found =
    typeof haystack === "string"
      ? typeof needle === "string" && haystack.includes(needle)
      : haystack.some((item) => isDeepStrictEqual(item, needle));
  if (!found) {
    const shown = typeof haystack === "string" ? show(excerpt(haystack)) : show(haystack);
    fail(`${prefix(what)}expected ${shown} to include ${show(needle)}`);
  }
}

export function expectStatus<R extends ResponseLike>(
  res: R,
  expected: number | readonly number[],
  what?: string,
): R {
  const allowed = typeof expected === "number" ? [expected] : expected;
  if (!allowed.includes(res.status)) {
    const want = allowed.length === 1 ? `HTTP ${allowed[0]}` : `HTTP ${allowed.join(" or ")}`;
    fail(`${prefix(what)}expected ${want}${from(res)}, got ${res.status}; body: ${excerpt(res.text)}`);
  }
  return res;
}

/** Parses the body as JSON or fails with the status and a body excerpt. */
export function expectJson<T = unknown>(res: ResponseLike, what?: string): T {
  try {
    return JSON.parse(res.text) as T;
  } catch {
    return fail(
      `${prefix(what)}expected a JSON body${from(res)} (HTTP ${res.status}), got ${excerpt(res.text)}`,
    );
  }
}

/** Every key of `expected` is present in `actual` with a deep-equal value (recursively for objects). */
export function isSubset(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) =>
      isSubset((actual as Record<string, unknown>)[key], value),
    );
  }
  return isDeepStrictEqual(actual, expected);
}

/** The JSON body (or a value) contains `expected` as a subset: `expectJsonSubset(res, {code: "X"})`. */
export function expectJsonSubset(source: ResponseLike | unknown, expected: object, what?: string): void {
  const isResponse = typeof source === "object" && source !== null && "status" in source && "text" in source;
  const actual = isResponse ? expectJson(source as ResponseLike, what) : source;
  if (!isSubset(actual, expected)) {
    const where = isResponse ? from(source as ResponseLike) : "";
    fail(`${prefix(what)}expected JSON${where} to contain ${show(expected)}, got ${show(actual)}`);
  }
}

export function expectHeader(
  res: ResponseLike,
  name: string,
  expected: string | RegExp,
  what?: string,
): string {
  const value = res.header?.(name);
  const ok =
    value !== undefined && (typeof expected === "string" ? value === expected : expected.test(value));
  if (!ok) {
    const shownExpected = typeof expected === "string" ? show(expected) : String(expected);
    fail(
      `${prefix(what)}expected header ${name}: ${shownExpected}${from(res)}, got ${value === undefined ? "no such header" : show(value)}`,
    );
  }
  return value as string;
}

export function expectNoHeader(res: ResponseLike, name: string, what?: string): void {
  const value = res.header?.(name);
  if (value !== undefined) fail(`${prefix(what)}expected no ${name} header${from(res)}, got ${show(value)}`);
}

export function expectLength(value: { length: number }, expected: number, what?: string): void {
  if (value.length !== expected) {
    fail(`${prefix(what)}expected length ${expected}, got ${value.length}: ${show(value)}`);
  }
}

/** The assertion helpers as one object (`ctx.assert` and default import). */
export const assertions = {
  fail,
  expect,
  expectEqual,
  expectNotEqual,
  expectMatch,
  expectNoMatch,
  expectIncludes,
  expectStatus,
  expectJson,
  expectJsonSubset,
  expectHeader,
  expectNoHeader,
  expectLength,
};
export type Assertions = typeof assertions;
