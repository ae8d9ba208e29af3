import assert from "node:assert/strict";
import { test } from "node:test";
import { OverrideStore, validateOverride, type OverrideSpec } from "./overrides";

function valid(input: unknown): OverrideSpec {
  const result = validateOverride(input);
  assert.ok(result.ok, JSON.stringify(result));
  return result.spec;
}

function invalid(input: unknown): string {
  const result = validateOverride(input);
  assert.equal(result.ok, false, JSON.stringify(input));
  return (result as { error: string }).error;
}

const base = { method: "POST", path: "/cp/workspaces/provision", status: 500 };

test("validateOverride: defaults and documented key order", () => {
  assert.equal(
    JSON.stringify(valid(base)),
    '{"method":"POST","path":"/cp/workspaces/provision","status":500,"headers":{},"delayMs":0,"times":"once"}',
  );
  assert.equal(
    JSON.stringify(
      valid({
        times: "sticky",
        delayMs: 5,
        headers: { "Retry-After": "1" },
        body: null,
        status: 503,
        path: "/cp/x",
        method: "*",
      }),
    ),
    '{"method":"*","path":"/cp/x","status":503,"body":null,"headers":{"Retry-After":"1"},"delayMs":5,"times":"sticky"}',
  );
  assert.deepEqual(valid({ ...base, bodyText: "oops" }).bodyText, "oops");
  assert.deepEqual(valid({ ...base, delayMs: 600000 }).delayMs, 600000);
});

test("validateOverride: every bad input says what is wrong", () => {
  assert.match(invalid([]), /^an override must be a JSON object, e\.g\. \{/);
  assert.match(invalid(null), /^an override must be a JSON object/);
  assert.equal(
    invalid({ ...base, delay: 5 }),
    'unknown field "delay"; allowed fields: method, path, status, body, bodyText, headers, delayMs, times',
  );
  assert.equal(
    invalid({ path: "/cp/x", status: 500 }),
    '"method" is required: an upper-case HTTP method such as "POST", or "*" for any; got nothing',
  );
  assert.equal(
    invalid({ ...base, method: "post" }),
    '"method" must be an upper-case HTTP method such as "POST", or "*" for any; got "post"',
  );
  assert.match(invalid({ ...base, method: "PO ST" }), /^"method" must be an upper-case HTTP method/);
  assert.match(invalid({ ...base, method: 1 }), /^"method" is required/);
  assert.equal(
    invalid({ ...base, path: "cp/x" }),
    '"path" must be the exact request path, starting with "/", e.g. "/cp/workspaces/provision"; got "cp/x"',
  );
  assert.match(
    invalid({ method: "GET", status: 200 }),
    /^"path" must be the exact request path.*got nothing$/,
  );
  assert.match(invalid({ ...base, path: "/cp/x?a=1" }), /^"path" must not contain "\?" or "#"/);
  assert.equal(
    invalid({ ...base, path: "/cp//x/../y" }),
    '"path" must be clean (no "//", "." or ".." segments) because such requests are redirected before overrides apply; use "/cp/y"',
  );
  for (const path of ["/healthz", "/__stub", "/__stub/state"]) {
    assert.match(invalid({ ...base, path }), /^"path" must not be \/healthz or under \/__stub\//);
  }
  for (const status of [99, 600, 500.5, "500", undefined]) {
    assert.match(
      invalid({ ...base, status }),
      /^"status" must be an integer HTTP status from 100 to 599; got /,
    );
  }
  assert.match(invalid({ ...base, status: 101 }), /^"status" 101 is an interim \(1xx\) status/);
  assert.equal(
    invalid({ ...base, body: {}, bodyText: "x" }),
    'set either "body" (sent as JSON) or "bodyText" (sent verbatim), not both',
  );
  assert.match(invalid({ ...base, bodyText: 5 }), /^"bodyText" must be a string/);
  assert.match(invalid({ ...base, headers: [] }), /^"headers" must be an object/);
  assert.match(invalid({ ...base, headers: { "bad name": "x" } }), /^header name "bad name" is not a valid/);
  assert.equal(
    invalid({ ...base, headers: { "Content-Length": "1" } }),
    'header "Content-Length" cannot be overridden: the server computes it',
  );
  assert.match(
    invalid({ ...base, headers: { "X-A": "a\r\nb" } }),
    /^header "X-A" must have a string value without control characters/,
  );
  assert.match(invalid({ ...base, headers: { "X-A": 1 } }), /^header "X-A" must have a string value/);
  for (const delayMs of [-1, 600001, 1.5, "5"]) {
    assert.match(
      invalid({ ...base, delayMs }),
      /^"delayMs" must be an integer number of milliseconds from 0 to 600000; got /,
    );
  }
  assert.equal(
    invalid({ ...base, times: "twice" }),
    '"times" must be "once" (answer one request, then vanish) or "sticky" (until deleted or reset); got "twice"',
  );
});

test("OverrideStore: ids, order, hits, removal; ids are not reused after clear", () => {
  const store = new OverrideStore();
  const a = store.add(valid({ ...base, times: "sticky" }));
  const b = store.add(valid({ ...base, method: "GET", path: "/cp/tenants/config" }));
  assert.equal(
    JSON.stringify(a),
    '{"id":1,"method":"POST","path":"/cp/workspaces/provision","status":500,"headers":{},"delayMs":0,"times":"sticky","hits":0}',
  );
  assert.deepEqual(
    store.list().map((o) => o.id),
    [1, 2],
  );
  assert.equal(store.get(2), b);
  assert.equal(store.remove(2), true);
  assert.equal(store.remove(2), false);
  store.clear();
  assert.equal(store.add(valid(base)).id, 3);
});

test("OverrideStore.take: method (or *) and exact path; once is consumed, sticky stays and counts hits", () => {
  const store = new OverrideStore();
  const sticky = store.add(valid({ ...base, method: "*", times: "sticky" }));
  assert.equal(store.take("POST", "/cp/workspaces/provision/"), undefined);
  assert.equal(store.take("POST", "/cp/workspaces"), undefined);
  assert.equal(store.take("GET", "/cp/workspaces/provision"), sticky);
  assert.equal(store.take("POST", "/cp/workspaces/provision"), sticky);
  assert.equal(sticky.hits, 2);

  const once = store.add(valid({ ...base, status: 502 }));
  assert.equal(store.take("GET", "/cp/workspaces/provision"), sticky, "once is POST-only");
  assert.equal(store.take("POST", "/cp/workspaces/provision"), once);
  assert.equal(once.hits, 1);
  assert.equal(store.get(once.id), undefined);
  assert.equal(store.take("POST", "/cp/workspaces/provision"), sticky);
});

test("OverrideStore.take: once overrides queue oldest first, then the newest sticky answers", () => {
  const store = new OverrideStore();
  const oldSticky = store.add(valid({ ...base, status: 500, times: "sticky" }));
  const newSticky = store.add(valid({ ...base, status: 503, times: "sticky" }));
  const first = store.add(valid({ ...base, status: 401 }));
  const second = store.add(valid({ ...base, status: 402 }));
  const order = [1, 2, 3, 4].map(() => store.take("POST", "/cp/workspaces/provision")?.id);
  assert.deepEqual(order, [first.id, second.id, newSticky.id, newSticky.id]);
  store.remove(newSticky.id);
  assert.equal(store.take("POST", "/cp/workspaces/provision"), oldSticky);
});
