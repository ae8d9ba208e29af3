import assert from "node:assert/strict";
import { test } from "node:test";
import { Journal, matchesFilter, parseJournalFilter, queryRecord, type JournalInput } from "./journal";

const fixedClock = () => new Date("2026-01-02T03:04:05.678Z");

function input(overrides: Partial<JournalInput> = {}): JournalInput {
  return {
    method: "GET",
    path: "/cp/x",
    rawQuery: "",
    headers: {},
    body: Buffer.alloc(0),
    bodyBytes: 0,
    ...overrides,
  };
}

test("record: full entry shape, field order, defaults", () => {
  const journal = new Journal({ cap: 10, maxBodyBytes: 100, now: fixedClock });
  const body = Buffer.from('{"workspace_id":"w"}');
  const entry = journal.record(
    input({
      method: "POST",
      path: "/cp/workspaces/provision",
      rawQuery: "a=1&b=x+y&a=2&c",
      headers: { "content-type": "application/json", "x-multi": ["1", "2"], absent: undefined },
      body,
      bodyBytes: body.length,
    }),
  );
  assert.equal(
    JSON.stringify(entry),
    JSON.stringify({
      id: 1,
      time: "2026-01-02T03:04:05.678Z",
      method: "POST",
      path: "/cp/workspaces/provision",
      query: { a: ["1", "2"], b: "x y", c: "" },
      headers: { "content-type": "application/json", "x-multi": "1, 2" },
      body: '{"workspace_id":"w"}',
      bodyBytes: 20,
      bodyTruncated: false,
      overrideId: null,
      status: null,
    }),
  );
});

test("record: empty body is null; long bodies are cut and flagged", () => {
  const journal = new Journal({ cap: 10, maxBodyBytes: 4 });
  assert.equal(journal.record(input()).body, null);
  const cut = journal.record(input({ body: Buffer.from("abcdefgh"), bodyBytes: 8 }));
  assert.deepEqual([cut.body, cut.bodyBytes, cut.bodyTruncated], ["abcd", 8, true]);
  // The caller may have kept fewer bytes than the whole body (its own read cap).
  const partial = journal.record(input({ body: Buffer.from("ab"), bodyBytes: 1_000_000 }));
  assert.deepEqual([partial.body, partial.bodyTruncated], ["ab", true]);
});

test("cap: oldest entries are evicted, ids keep increasing, clear keeps counting", () => {
  const journal = new Journal({ cap: 3, maxBodyBytes: 10 });
  for (let i = 0; i < 5; i++) journal.record(input({ path: `/cp/${i}` }));
  assert.deepEqual(
    journal.list().map((e) => [e.id, e.path]),
    [
      [3, "/cp/2"],
      [4, "/cp/3"],
      [5, "/cp/4"],
    ],
  );
  journal.clear();
  assert.deepEqual(journal.list(), []);
  assert.equal(journal.record(input()).id, 6);
});

test("queryRecord: __proto__ stays a plain key", () => {
  const q = queryRecord("__proto__=x");
  assert.equal(Object.getPrototypeOf(q), Object.prototype);
  assert.equal(q["__proto__"], "x");
});

test("list: filters combine; method compares upper-cased", () => {
  const journal = new Journal({ cap: 10, maxBodyBytes: 10 });
  journal.record(input({ method: "POST", path: "/cp/workspaces/provision" }));
  journal.record(input({ method: "GET", path: "/cp/tenants/config" }));
  journal.record(input({ method: "POST", path: "/cp/admin/orgs" }));
  journal.record(input({ method: "POST", path: "/cpx" }));
  const ids = (f: Parameters<Journal["list"]>[0]) => journal.list(f).map((e) => e.id);
  assert.deepEqual(ids({}), [1, 2, 3, 4]);
  assert.deepEqual(ids({ method: "post" }), [1, 3, 4]);
  assert.deepEqual(ids({ path: "/cp/tenants/config" }), [2]);
  assert.deepEqual(ids({ pathPrefix: "/cp/" }), [1, 2, 3]);
  assert.deepEqual(ids({ method: "POST", pathPrefix: "/cp/", since: 1 }), [3]);
  assert.deepEqual(ids({ since: 4 }), []);
  assert.equal(matchesFilter(journal.list()[0], { path: "/cp/workspaces/provision/" }), false);
});

test("parseJournalFilter: accepted parameters", () => {
  assert.deepEqual(
    parseJournalFilter(new URLSearchParams("method=post&path=/cp/a&pathPrefix=/cp/&since=0")),
    {
      ok: true,
      filter: { method: "POST", path: "/cp/a", pathPrefix: "/cp/", since: 0 },
    },
  );
  assert.deepEqual(parseJournalFilter(new URLSearchParams("")), { ok: true, filter: {} });
});

test("parseJournalFilter: every bad parameter is a readable error", () => {
  const error = (qs: string) => {
    const parsed = parseJournalFilter(new URLSearchParams(qs));
    assert.equal(parsed.ok, false, qs);
    return (parsed as { error: string }).error;
  };
  assert.equal(
    error("pathprefix=/cp"),
    'unknown query parameter "pathprefix"; allowed: method, path, pathPrefix, since',
  );
  assert.equal(error("since=1&since=2"), 'query parameter "since" given more than once');
  assert.equal(
    error("since=-1"),
    'since must be a journal id (a non-negative integer, e.g. the last id you saw); got "-1"',
  );
  assert.match(error("since=abc"), /^since must be a journal id/);
  assert.equal(error("path=cp/x"), 'path must start with "/"; got "cp/x"');
  assert.equal(error("pathPrefix="), 'pathPrefix must start with "/"; got ""');
  assert.equal(error("method=PO%20ST"), 'method must be an HTTP method such as POST; got "PO ST"');
});
