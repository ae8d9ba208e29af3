/**
 * The admin API (/__stub/*) over real HTTP on loopback: reset, journal with filters and caps,
 * overrides (once, sticky, delay, delete, priority over built-in routes) and every bad input.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { JournalEntry, Override } from "./api";
import { startStub, type Answer, type RunningStub } from "./test-support";

function assertJson(answer: Answer, status: number, body: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.headers["content-type"], "application/json");
  assert.equal(answer.text, body);
}

const json = (body: unknown) => ({
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

describe("cp-stub admin API (loopback)", () => {
  let s: RunningStub;
  const journal = async (query = ""): Promise<JournalEntry[]> => {
    const answer = await s.send("GET", `/__stub/requests${query}`);
    assert.equal(answer.status, 200, answer.text);
    return (JSON.parse(answer.text) as { requests: JournalEntry[] }).requests;
  };
  const addRoute = async (input: unknown): Promise<Override> => {
    const answer = await s.send("POST", "/__stub/routes", json(input));
    assert.equal(answer.status, 201, answer.text);
    return JSON.parse(answer.text) as Override;
  };
  const badRoute = async (body: string): Promise<string> => {
    const answer = await s.send("POST", "/__stub/routes", { body });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.headers["content-type"], "application/json");
    assert.ok(answer.text.endsWith("}\n"));
    return (JSON.parse(answer.text) as { error: string }).error;
  };

  before(async () => {
    s = await startStub();
  });
  after(async () => {
    await s.close();
  });
  beforeEach(() => {
    s.stub.state.reset();
  });

  test("POST /__stub/reset: clears counters, journal and overrides; ids keep counting", async () => {
    await s.send("POST", "/cp/workspaces/provision");
    await s.send("GET", "/cp/tenants/config");
    await addRoute({ method: "GET", path: "/cp/x", status: 500, times: "sticky" });
    const before = await journal();
    assert.equal(before.length, 2);
    assertJson(await s.send("POST", "/__stub/reset"), 200, '{"ok":true}\n');
    assertJson(
      await s.send("GET", "/__stub/state"),
      200,
      '{"redeploy_fleet_calls":0,"provision_calls":0,"tenants_config_calls":0}\n',
    );
    assert.deepEqual(await journal(), []);
    assertJson(await s.send("GET", "/__stub/routes"), 200, '{"routes":[]}\n');
    await s.send("GET", "/cp/x");
    const [entry] = await journal();
    assert.equal(entry.id, before[1].id + 1);
    assert.equal(entry.status, 501, "the sticky override is gone");
  });

  test("POST /__stub/reset: other methods are 405 with Allow", async () => {
    const answer = await s.send("GET", "/__stub/reset");
    assertJson(answer, 405, '{"error":"cp-stub: /__stub/reset only accepts POST"}\n');
    assert.equal(answer.headers.allow, "POST");
  });

  test("journal: every request except /healthz and /__stub/*, oldest first, full shape", async () => {
    await s.send("POST", "/cp/workspaces/provision?debug=1&tag=a&tag=b", {
      body: '{"workspace_id":"w1"}',
      headers: {
        "content-type": "application/json",
        Authorization: "Bearer t",
        "X-Molecule-Org-Id": "org-a",
      },
    });
    await s.send("GET", "/healthz");
    await s.send("GET", "/__stub/state");
    await s.send("GET", "/nope");
    await s.send("GET", "/cp");
    await s.send("DELETE", "/cp/orgs/acme");
    const entries = await journal();
    assert.deepEqual(
      entries.map((e) => [e.method, e.path, e.status]),
      [
        ["POST", "/cp/workspaces/provision", 201],
        ["GET", "/nope", 404],
        ["GET", "/cp", 301],
        ["DELETE", "/cp/orgs/acme", 501],
      ],
    );
    const first = entries[0];
    assert.deepEqual(Object.keys(first), [
      "id",
      "time",
      "method",
      "path",
      "query",
      "headers",
      "body",
      "bodyBytes",
      "bodyTruncated",
      "overrideId",
      "status",
    ]);
    assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(first.query, { debug: "1", tag: ["a", "b"] });
    assert.equal(first.headers.authorization, "Bearer t");
    assert.equal(first.headers["x-molecule-org-id"], "org-a");
    assert.equal(first.headers.host, `127.0.0.1:${s.port}`);
    assert.deepEqual(
      [first.body, first.bodyBytes, first.bodyTruncated, first.overrideId],
      ['{"workspace_id":"w1"}', 21, false, null],
    );
    assert.equal(entries[1].body, null);
    assert.ok(entries.every((e, i) => i === 0 || e.id > entries[i - 1].id));
  });

  test("journal filters: method, path, pathPrefix, since — combined", async () => {
    await s.send("POST", "/cp/workspaces/provision");
    await s.send("GET", "/cp/tenants/config");
    await s.send("POST", "/cp/admin/orgs", { body: "{}" });
    await s.send("POST", "/cpx");
    const all = await journal();
    const paths = (entries: JournalEntry[]) => entries.map((e) => e.path);
    assert.deepEqual(paths(await journal("?method=POST")), [
      "/cp/workspaces/provision",
      "/cp/admin/orgs",
      "/cpx",
    ]);
    assert.deepEqual(paths(await journal("?method=post")), [
      "/cp/workspaces/provision",
      "/cp/admin/orgs",
      "/cpx",
    ]);
    assert.deepEqual(paths(await journal("?path=/cp/tenants/config")), ["/cp/tenants/config"]);
    assert.deepEqual(paths(await journal("?pathPrefix=/cp/")), [
      "/cp/workspaces/provision",
      "/cp/tenants/config",
      "/cp/admin/orgs",
    ]);
    assert.deepEqual(paths(await journal(`?method=POST&pathPrefix=/cp/&since=${all[0].id}`)), [
      "/cp/admin/orgs",
    ]);
    assert.deepEqual(await journal(`?since=${all[3].id}`), []);
  });

  test("journal filters: bad parameters are 400 with the reason", async () => {
    const cases: [string, string][] = [
      ["?pathprefix=/cp/", 'unknown query parameter "pathprefix"; allowed: method, path, pathPrefix, since'],
      ["?since=x", 'since must be a journal id (a non-negative integer, e.g. the last id you saw); got "x"'],
      ["?path=cp", 'path must start with "/"; got "cp"'],
      ["?method=a%20b", 'method must be an HTTP method such as POST; got "a b"'],
      ["?since=1&since=2", 'query parameter "since" given more than once'],
    ];
    for (const [query, error] of cases) {
      assertJson(await s.send("GET", `/__stub/requests${query}`), 400, JSON.stringify({ error }) + "\n");
    }
    const post = await s.send("POST", "/__stub/requests");
    assertJson(post, 405, '{"error":"cp-stub: /__stub/requests only accepts GET"}\n');
  });

  test("journal: ring buffer of journalCap entries; bodies cut at journalBodyBytes", async () => {
    const small = await startStub({ journalCap: 3, journalBodyBytes: 8 });
    try {
      for (let i = 1; i <= 5; i++) await small.send("POST", `/cp/n${i}`, { body: `body-number-${i}` });
      const entries = JSON.parse((await small.send("GET", "/__stub/requests")).text)
        .requests as JournalEntry[];
      assert.deepEqual(
        entries.map((e) => [e.id, e.path, e.body, e.bodyBytes, e.bodyTruncated]),
        [
          [3, "/cp/n3", "body-num", 13, true],
          [4, "/cp/n4", "body-num", 13, true],
          [5, "/cp/n5", "body-num", 13, true],
        ],
      );
      const since = JSON.parse((await small.send("GET", "/__stub/requests?since=4")).text)
        .requests as JournalEntry[];
      assert.deepEqual(
        since.map((e) => e.id),
        [5],
      );
    } finally {
      await small.close();
    }
  });

  test("POST /__stub/routes: 201 with the stored override; GET lists; GET/DELETE by id", async () => {
    const created = await s.send(
      "POST",
      "/__stub/routes",
      json({
        method: "POST",
        path: "/cp/workspaces/provision",
        status: 500,
        body: { error: "boom" },
        times: "sticky",
      }),
    );
    assert.equal(created.status, 201);
    const stored = JSON.parse(created.text) as Override;
    assert.equal(
      created.text,
      `{"id":${stored.id},"method":"POST","path":"/cp/workspaces/provision","status":500,"body":{"error":"boom"},"headers":{},"delayMs":0,"times":"sticky","hits":0}\n`,
    );
    const second = await addRoute({ method: "*", path: "/cp/other", status: 418 });
    const list = JSON.parse((await s.send("GET", "/__stub/routes")).text) as { routes: Override[] };
    assert.deepEqual(list.routes, [stored, second]);
    assertJson(await s.send("GET", `/__stub/routes/${second.id}`), 200, JSON.stringify(second) + "\n");
    assertJson(await s.send("DELETE", `/__stub/routes/${second.id}`), 200, '{"ok":true}\n');
    assertJson(
      await s.send("DELETE", `/__stub/routes/${second.id}`),
      404,
      `{"error":"no override with id ${second.id}"}\n`,
    );
    assertJson(await s.send("GET", "/__stub/routes/999999"), 404, '{"error":"no override with id 999999"}\n');
    assertJson(
      await s.send("DELETE", "/__stub/routes/abc"),
      400,
      '{"error":"override id must be a positive integer as returned by POST /__stub/routes; got \\"abc\\""}\n',
    );
    const put = await s.send("PUT", `/__stub/routes/${stored.id}`);
    assertJson(put, 405, `{"error":"cp-stub: /__stub/routes/${stored.id} only accepts GET or DELETE"}\n`);
    assert.equal(put.headers.allow, "GET, DELETE");
    assertJson(
      await s.send("PATCH", "/__stub/routes"),
      405,
      '{"error":"cp-stub: /__stub/routes only accepts GET or POST"}\n',
    );
  });

  test("override once: answers the first match only, then the built-in route is back", async () => {
    const o = await addRoute({
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 503,
      body: { error: "cp <down>" },
      headers: { "Retry-After": "3" },
      times: "once",
    });
    const first = await s.send("POST", "/cp/workspaces/provision", { body: '{"workspace_id":"w"}' });
    assertJson(first, 503, '{"error":"cp \\u003cdown\\u003e"}\n');
    assert.equal(first.headers["retry-after"], "3");
    const second = await s.send("POST", "/cp/workspaces/provision", { body: '{"workspace_id":"w"}' });
    assert.equal(second.status, 201);
    assertJson(await s.send("GET", "/__stub/routes"), 200, '{"routes":[]}\n');
    // Overridden requests are journaled (with the override id) but do not bump the counters.
    const entries = await journal("?path=/cp/workspaces/provision");
    assert.deepEqual(
      entries.map((e) => [e.overrideId, e.status, e.body]),
      [
        [o.id, 503, '{"workspace_id":"w"}'],
        [null, 201, '{"workspace_id":"w"}'],
      ],
    );
    assert.equal(s.stub.state.counters.provisionCalls, 1);
  });

  test("override sticky: answers until deleted, counting hits", async () => {
    const o = await addRoute({ method: "GET", path: "/cp/tenants/config", status: 500, times: "sticky" });
    for (let i = 0; i < 3; i++) {
      const answer = await s.send("GET", "/cp/tenants/config");
      assert.deepEqual([answer.status, answer.text, answer.headers["content-type"]], [500, "", undefined]);
    }
    const listed = JSON.parse((await s.send("GET", `/__stub/routes/${o.id}`)).text) as Override;
    assert.equal(listed.hits, 3);
    await s.send("DELETE", `/__stub/routes/${o.id}`);
    assert.equal((await s.send("GET", "/cp/tenants/config")).status, 200);
    assert.equal(s.stub.state.counters.tenantsConfigCalls, 1);
  });

  test("override matching: method or *, exact path; beats 501/404/405 and built-ins", async () => {
    await addRoute({ method: "*", path: "/cp/orgs", status: 200, body: [], times: "sticky" });
    await addRoute({
      method: "POST",
      path: "/llm/openai/v1/chat/completions",
      status: 429,
      bodyText: "slow down",
      times: "sticky",
    });
    await addRoute({
      method: "GET",
      path: "/cp/workspaces/provision",
      status: 202,
      body: { queued: true },
      times: "sticky",
    });
    for (const method of ["GET", "DELETE"]) assertJson(await s.send(method, "/cp/orgs"), 200, "[]\n");
    assert.equal((await s.send("GET", "/cp/orgs/acme")).status, 501);
    const llm = await s.send("POST", "/llm/openai/v1/chat/completions");
    assert.deepEqual(
      [llm.status, llm.headers["content-type"], llm.text],
      [429, "text/plain; charset=utf-8", "slow down"],
    );
    assert.equal((await s.send("GET", "/llm/openai/v1/chat/completions")).status, 404);
    assertJson(await s.send("GET", "/cp/workspaces/provision"), 202, '{"queued":true}\n');
    assert.equal((await s.send("POST", "/cp/workspaces/provision")).status, 201);
  });

  test("override headers win over the defaults", async () => {
    await addRoute({
      method: "GET",
      path: "/cp/auth/me",
      status: 401,
      bodyText: "<html>login</html>",
      headers: { "content-type": "text/html" },
    });
    const answer = await s.send("GET", "/cp/auth/me");
    assert.deepEqual(
      [answer.status, answer.headers["content-type"], answer.text],
      [401, "text/html", "<html>login</html>"],
    );
  });

  test("override delayMs: the answer comes no sooner; the journal shows it pending meanwhile", async () => {
    await addRoute({
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 504,
      delayMs: 400,
      body: { error: "timeout" },
    });
    const started = Date.now();
    const pending = s.send("POST", "/cp/workspaces/provision");
    await new Promise((r) => setTimeout(r, 100));
    const [inFlight] = await journal("?path=/cp/workspaces/provision");
    assert.deepEqual([inFlight.status, inFlight.overrideId !== null], [null, true]);
    const answer = await pending;
    assert.ok(Date.now() - started >= 400, `answered after ${Date.now() - started} ms`);
    assertJson(answer, 504, '{"error":"timeout"}\n');
    const [done] = await journal("?path=/cp/workspaces/provision");
    assert.equal(done.status, 504);
  });

  test("close() ends delayed answers instead of waiting for them", async () => {
    const other = await startStub();
    await other.send(
      "POST",
      "/__stub/routes",
      json({ method: "GET", path: "/cp/hang", status: 200, delayMs: 600000 }),
    );
    const hanging = other.send("GET", "/cp/hang").then(
      () => "answered",
      () => "connection dropped",
    );
    await new Promise((r) => setTimeout(r, 100));
    await other.close();
    assert.equal(await hanging, "connection dropped");
  });

  test("bad override input: 400 with a reason for each mistake", async () => {
    assert.match(
      await badRoute(""),
      /^request body is empty; send an override as JSON, e\.g\. \{"method":"POST"/,
    );
    assert.match(await badRoute("{nope"), /^invalid JSON: .+; send an override such as \{/);
    assert.match(await badRoute("[1]"), /^an override must be a JSON object/);
    const base = { method: "POST", path: "/cp/x", status: 500 };
    const cases: [unknown, RegExp][] = [
      [{ ...base, extra: 1 }, /^unknown field "extra"; allowed fields: /],
      [{ ...base, status: 600 }, /^"status" must be an integer HTTP status from 100 to 599; got 600$/],
      [{ ...base, status: 99 }, /^"status" must be an integer HTTP status from 100 to 599; got 99$/],
      [{ ...base, path: "cp/x" }, /^"path" must be the exact request path, starting with "\/"/],
      [{ ...base, path: "/__stub/state" }, /^"path" must not be \/healthz or under \/__stub\//],
      [{ ...base, method: "post" }, /^"method" must be an upper-case HTTP method/],
      [{ ...base, times: "always" }, /^"times" must be "once" .* or "sticky"/],
      [
        { ...base, delayMs: -1 },
        /^"delayMs" must be an integer number of milliseconds from 0 to 600000; got -1$/,
      ],
      [{ ...base, delayMs: 600001 }, /^"delayMs" must be .*; got 600001$/],
      [
        { ...base, headers: { "Transfer-Encoding": "chunked" } },
        /cannot be overridden: the server computes it$/,
      ],
    ];
    for (const [input, pattern] of cases) assert.match(await badRoute(JSON.stringify(input)), pattern);
    assertJson(await s.send("GET", "/__stub/routes"), 200, '{"routes":[]}\n');
  });

  test("unknown admin paths are a JSON 404 listing the endpoints", async () => {
    const answer = await s.send("GET", "/__stub/nope");
    assert.equal(answer.status, 404);
    assert.match(
      JSON.parse(answer.text).error,
      /^cp-stub: no admin endpoint GET \/__stub\/nope; known: GET \/__stub\/state/,
    );
    assert.deepEqual(await journal(), [], "admin traffic is not journaled");
  });
});
