import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cleanPath,
  escapePath,
  goRedirect,
  GoServeMux,
  parseRequestTarget,
  type RequestTarget,
} from "./go-url";

function target(raw: string): RequestTarget {
  const parsed = parseRequestTarget(raw);
  assert.equal(parsed.kind, "path", raw);
  return (parsed as { target: RequestTarget }).target;
}

test("parseRequestTarget: decoded path, escaped path, raw query", () => {
  assert.deepEqual(target("/cp/a%20b?x=1&y"), {
    path: "/cp/a b",
    escapedPath: "/cp/a%20b",
    rawQuery: "x=1&y",
  });
  assert.deepEqual(target("/cp/a%2Fb"), { path: "/cp/a/b", escapedPath: "/cp/a%2Fb", rawQuery: "" });
  // Characters Go would escape make the raw form invalid as EscapedPath; Go re-escapes the path.
  assert.deepEqual(target('/cp/a"b#c'), { path: '/cp/a"b#c', escapedPath: "/cp/a%22b%23c", rawQuery: "" });
  assert.deepEqual(target("/x%ff"), { path: "/x\udcff", escapedPath: "/x%ff", rawQuery: "" });
  assert.deepEqual(target("http://host:1/cp/auth/me?q"), {
    path: "/cp/auth/me",
    escapedPath: "/cp/auth/me",
    rawQuery: "q",
  });
});

test("parseRequestTarget: bad escapes and non-paths are invalid, * is its own kind", () => {
  assert.deepEqual(parseRequestTarget("/cp/%zz"), { kind: "invalid" });
  assert.deepEqual(parseRequestTarget("/cp/%4"), { kind: "invalid" });
  assert.deepEqual(parseRequestTarget("cp"), { kind: "invalid" });
  assert.deepEqual(parseRequestTarget("*"), { kind: "asterisk" });
  // The query is not validated by Go's request parser.
  assert.equal(parseRequestTarget("/a?%zz").kind, "path");
});

test("cleanPath: Go's rules incl. the kept trailing slash", () => {
  const cases: [string, string][] = [
    ["", "/"],
    ["/", "/"],
    ["//", "/"],
    ["/cp//auth/me", "/cp/auth/me"],
    ["/cp/./x/", "/cp/x/"],
    ["/cp/../..", "/"],
    ["/a/b/..", "/a"],
    ["/a/b/../", "/a/"],
    ["a/b", "/a/b"],
  ];
  for (const [input, expected] of cases) assert.equal(cleanPath(input), expected, input);
});

test("escapePath: url.URL{Path}.EscapedPath()", () => {
  assert.equal(escapePath("/a b/c%d?e;f,g:h@i&j=k+l$m"), "/a%20b/c%25d%3Fe;f,g:h@i&j=k+l$m");
  assert.equal(escapePath("/é"), "/%C3%A9");
  assert.equal(escapePath("/\udcff"), "/%FF");
});

test("goRedirect: http.Redirect's headers and body per method", () => {
  assert.deepEqual(goRedirect("GET", "/cp/?a=1&b=<x>"), {
    status: 301,
    location: "/cp/?a=1&b=<x>",
    contentType: "text/html; charset=utf-8",
    body: '<a href="/cp/?a=1&amp;b=&lt;x&gt;">Moved Permanently</a>.\n\n',
  });
  assert.deepEqual(goRedirect("HEAD", "/cp/"), {
    status: 301,
    location: "/cp/",
    contentType: "text/html; charset=utf-8",
    body: "",
  });
  assert.deepEqual(goRedirect("POST", "/cp/"), {
    status: 301,
    location: "/cp/",
    contentType: null,
    body: "",
  });
});

const mux = new GoServeMux([
  "/cp/auth/me",
  "/cp/admin/orgs",
  "/cp/",
  "/healthz",
  "/__stub/routes/",
  "/__stub/",
]);
const route = (raw: string) => mux.route(target(raw));

test("GoServeMux: exact patterns match only themselves", () => {
  assert.deepEqual(route("/cp/auth/me"), { kind: "match", pattern: "/cp/auth/me" });
  assert.deepEqual(route("/cp/auth/me/"), { kind: "match", pattern: "/cp/" });
  assert.deepEqual(route("/cp/auth/me/x"), { kind: "match", pattern: "/cp/" });
  assert.deepEqual(route("/cp/auth/mex"), { kind: "match", pattern: "/cp/" });
  assert.deepEqual(route("/healthz"), { kind: "match", pattern: "/healthz" });
  assert.deepEqual(route("/healthz/"), { kind: "notFound" });
});

test("GoServeMux: segments compare decoded; an encoded slash stays inside its segment", () => {
  assert.deepEqual(route("/cp/auth/m%65"), { kind: "match", pattern: "/cp/auth/me" });
  assert.deepEqual(route("/c%70/auth/me"), { kind: "match", pattern: "/cp/auth/me" });
  assert.deepEqual(route("/cp/auth%2Fme"), { kind: "match", pattern: "/cp/" });
  assert.deepEqual(route("/cp%2Fauth"), { kind: "notFound" });
});

test("GoServeMux: subtrees, longest wins, / alone is not found", () => {
  assert.deepEqual(route("/cp/"), { kind: "match", pattern: "/cp/" });
  assert.deepEqual(route("/__stub/routes/7"), { kind: "match", pattern: "/__stub/routes/" });
  assert.deepEqual(route("/__stub/other"), { kind: "match", pattern: "/__stub/" });
  assert.deepEqual(route("/"), { kind: "notFound" });
  assert.deepEqual(route("/cpx"), { kind: "notFound" });
});

test("GoServeMux: /tree redirects to /tree/, keeping the query", () => {
  assert.deepEqual(route("/cp"), { kind: "redirect", location: "/cp/" });
  assert.deepEqual(route("/cp?x=1"), { kind: "redirect", location: "/cp/?x=1" });
  assert.deepEqual(route("/c%70"), { kind: "redirect", location: "/cp/" });
  assert.deepEqual(route("/__stub/routes"), { kind: "redirect", location: "/__stub/routes/" });
});

test("GoServeMux: unclean paths redirect to the clean path (Go re-escapes %)", () => {
  assert.deepEqual(route("/cp//auth/me"), { kind: "redirect", location: "/cp/auth/me" });
  assert.deepEqual(route("/x/../cp/auth/me?q=1"), { kind: "redirect", location: "/cp/auth/me?q=1" });
  assert.deepEqual(route("/cp/./a%20b"), { kind: "redirect", location: "/cp/a%2520b" });
  assert.deepEqual(route("/cp/.."), { kind: "redirect", location: "/" });
  assert.deepEqual(route("//cp"), { kind: "redirect", location: "/cp/" });
});
