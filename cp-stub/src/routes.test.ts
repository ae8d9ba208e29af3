/**
 * The anchor's routes over real HTTP on loopback, byte for byte: status, Content-Type, body
 * (incl. the encoder's trailing newline), method rules, counters and Go's ServeMux path rules.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { rawExchange, startStub, type Answer, type RunningStub } from "./test-support";

const AUTH_ME = '{"id":"harness-user","email":"harness@local","org_id":"harness-org","roles":["admin"]}\n';
const REDEPLOY =
  '{"ok":true,"results":[{"slug":"harness-tenant","phase":"redeploy","ssm_status":"Success","ssm_exit_code":0,"healthz_ok":true}]}\n';
const TENANTS_CONFIG =
  '{"tenant_id":"harness-tenant","runtimes":["claude-code","hermes","openclaw","codex","seo-agent"],' +
  '"llm_endpoints":{"openai":"http://cp-stub:9090/llm/openai/v1","anthropic":"http://cp-stub:9090/llm/anthropic/v1"},' +
  '"feature_flags":{"canvas_async_dispatch":true,"runtime_provision_smoke":true,"secrets_encryption_key":true}}\n';
const HINT = "add a handler in cp-stub/src/routes.ts for the scenario you're testing";
const notImplemented = (method: string, path: string) =>
  `{"error":"cp-stub: handler not implemented for ${method} ${path}","hint":"${HINT}"}\n`;

function assertJson(answer: Answer, status: number, body: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.headers["content-type"], "application/json");
  assert.equal(answer.text, body);
  assert.equal(answer.headers["content-length"], String(Buffer.byteLength(body)));
}

function assertNotFound(answer: Answer): void {
  assert.equal(answer.status, 404);
  assert.equal(answer.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(answer.headers["x-content-type-options"], "nosniff");
  assert.equal(answer.text, "404 page not found\n");
}

describe("cp-stub anchor routes (loopback)", () => {
  let s: RunningStub;
  before(async () => {
    s = await startStub();
  });
  after(async () => {
    await s.close();
  });
  beforeEach(() => {
    s.stub.state.reset();
  });

  test("/cp/auth/me: 200 user JSON for any method; HEAD gets the headers only", async () => {
    for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      assertJson(await s.send(method, "/cp/auth/me"), 200, AUTH_ME);
    }
    const head = await s.send("HEAD", "/cp/auth/me");
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], String(AUTH_ME.length));
    assert.equal(head.text, "");
  });

  test("/cp/admin/tenants/redeploy-fleet: 200 for any method, counted every time", async () => {
    for (const method of ["POST", "GET", "PUT"]) {
      assertJson(await s.send(method, "/cp/admin/tenants/redeploy-fleet"), 200, REDEPLOY);
    }
    assertJson(
      await s.send("GET", "/__stub/state"),
      200,
      '{"redeploy_fleet_calls":3,"provision_calls":0,"tenants_config_calls":0}\n',
    );
  });

  test("/cp/admin/orgs: non-POST is 405", async () => {
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      assertJson(
        await s.send(method, "/cp/admin/orgs"),
        405,
        '{"error":"method not allowed; expected POST"}\n',
      );
    }
    const head = await s.send("HEAD", "/cp/admin/orgs");
    assert.equal(head.status, 405);
  });

  test("/cp/admin/orgs: missing fields listed in order slug, name, owner_user_id", async () => {
    const cases: [string, string[]][] = [
      ["{}", ["slug", "name", "owner_user_id"]],
      ['{"slug":"harness-org-replay-400-1","name":"replay-bad-org"}', ["owner_user_id"]],
      ['{"name":"n"}', ["slug", "owner_user_id"]],
      ['{"slug":"","name":"n","owner_user_id":"u"}', ["slug"]],
      ["null", ["slug", "name", "owner_user_id"]],
    ];
    for (const [body, missing] of cases) {
      const expected =
        JSON.stringify({ error: `${missing.join(", ")} are required`, fields: missing }) + "\n";
      assertJson(await s.send("POST", "/cp/admin/orgs", { body }), 400, expected);
    }
  });

  test("/cp/admin/orgs: invalid JSON → 400 with Go's decoder error", async () => {
    const cases: [string, string][] = [
      ["", "EOF"],
      ["{", "unexpected EOF"],
      ["slug=a", "invalid character 's' looking for beginning of value"],
      [
        '{"slug":1,"name":"n","owner_user_id":"u"}',
        "json: cannot unmarshal number into Go struct field createOrgRequest.slug of type string",
      ],
      ["[]", "json: cannot unmarshal array into Go value of type main.createOrgRequest"],
    ];
    for (const [body, error] of cases) {
      assertJson(
        await s.send("POST", "/cp/admin/orgs", { body }),
        400,
        JSON.stringify({ error: `invalid JSON: ${error}` }) + "\n",
      );
    }
  });

  test("/cp/admin/orgs: valid → 201 echoing the slug (Go escapes, case-insensitive keys, trailing bytes ignored)", async () => {
    const body = '{"slug":"acme","name":"Acme","owner_user_id":"u1"}';
    assertJson(await s.send("POST", "/cp/admin/orgs", { body }), 201, '{"ok":true,"slug":"acme"}\n');
    assertJson(
      await s.send("POST", "/cp/admin/orgs", {
        body: '{"SLUG":"<b>&","Name":"n","owner_user_id":"u"} not json',
        headers: { "content-type": "text/plain" },
      }),
      201,
      '{"ok":true,"slug":"\\u003cb\\u003e\\u0026"}\n',
    );
  });

  test("/cp/workspaces/provision: non-POST is 405 and not counted", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      assertJson(
        await s.send(method, "/cp/workspaces/provision"),
        405,
        '{"error":"cp-stub: /cp/workspaces/provision only accepts POST"}\n',
      );
    }
    assert.equal(s.stub.state.counters.provisionCalls, 0);
  });

  test("/cp/workspaces/provision: 201, wsid from body or harness-ws, body optional, counted", async () => {
    const expected = (wsid: string) =>
      `{"instance_id":"mol-ws-${wsid}","state":"running","workspace_id":"${wsid}","url":"http://cp-stub:9090/cp/workspaces/${wsid}"}\n`;
    assertJson(
      await s.send("POST", "/cp/workspaces/provision", { body: '{"workspace_id":"harness-replay-$$"}' }),
      201,
      expected("harness-replay-$$"),
    );
    assertJson(await s.send("POST", "/cp/workspaces/provision"), 201, expected("harness-ws"));
    assertJson(
      await s.send("POST", "/cp/workspaces/provision", { body: "not json" }),
      201,
      expected("harness-ws"),
    );
    assertJson(
      await s.send("POST", "/cp/workspaces/provision", { body: '{"workspace_id":""}' }),
      201,
      expected("harness-ws"),
    );
    // Go keeps what it decoded before a type error.
    assertJson(
      await s.send("POST", "/cp/workspaces/provision", { body: '{"workspace_id":"w1","workspace_id":5}' }),
      201,
      expected("w1"),
    );
    assert.equal(s.stub.state.counters.provisionCalls, 5);
  });

  test("/cp/tenants/config: GET 200 counted; any other method 405", async () => {
    assertJson(await s.send("GET", "/cp/tenants/config"), 200, TENANTS_CONFIG);
    for (const method of ["POST", "PUT", "DELETE"]) {
      assertJson(
        await s.send(method, "/cp/tenants/config"),
        405,
        '{"error":"cp-stub: /cp/tenants/config only accepts GET"}\n',
      );
    }
    assert.equal((await s.send("HEAD", "/cp/tenants/config")).status, 405);
    assert.equal(s.stub.state.counters.tenantsConfigCalls, 1);
  });

  test("/__stub/state: counters in the anchor's order, for any method", async () => {
    await s.send("POST", "/cp/admin/tenants/redeploy-fleet");
    await s.send("POST", "/cp/workspaces/provision");
    await s.send("POST", "/cp/workspaces/provision");
    await s.send("GET", "/cp/tenants/config");
    for (const method of ["GET", "POST", "DELETE"]) {
      assertJson(
        await s.send(method, "/__stub/state"),
        200,
        '{"redeploy_fleet_calls":1,"provision_calls":2,"tenants_config_calls":1}\n',
      );
    }
  });

  test("/cp/ catch-all: 501 naming method and decoded path", async () => {
    const cases: [string, string, string][] = [
      ["GET", "/cp/", "/cp/"],
      ["GET", "/cp/orgs", "/cp/orgs"],
      ["POST", "/cp/auth/me/", "/cp/auth/me/"],
      ["DELETE", "/cp/auth/me/x", "/cp/auth/me/x"],
      ["GET", "/cp/admin/orgs/acme", "/cp/admin/orgs/acme"],
      ["PUT", "/cp/a%20b", "/cp/a b"],
      ["GET", "/cp/auth%2Fme", "/cp/auth/me"],
      ["GET", "/cp/x?y=1", "/cp/x"],
    ];
    for (const [method, path, shown] of cases) {
      assertJson(await s.send(method, path), 501, notImplemented(method, shown));
    }
    // Go's encoder: HTML-escaped, and an invalid UTF-8 byte becomes the \ufffd escape.
    assertJson(await s.send("GET", "/cp/%3Cx%3E"), 501, notImplemented("GET", "/cp/\\u003cx\\u003e"));
    assertJson(await s.send("GET", "/cp/%FF"), 501, notImplemented("GET", "/cp/\\ufffd"));
  });

  test("exact paths match after decoding segments, like Go 1.22+", async () => {
    assertJson(await s.send("GET", "/cp/auth/m%65"), 200, AUTH_ME);
    assertJson(await s.send("GET", "/health%7A"), 200, '{"status":"ok"}\n');
  });

  test("/healthz: 200 for any method", async () => {
    for (const method of ["GET", "POST"])
      assertJson(await s.send(method, "/healthz"), 200, '{"status":"ok"}\n');
  });

  test("anything else: Go's plain-text 404", async () => {
    for (const path of ["/", "/nope", "/cpx", "/healthz/", "/cp%2Fauth", "/llm/openai/v1/chat"]) {
      assertNotFound(await s.send("GET", path));
    }
    assertNotFound(await s.send("POST", "/nope"));
  });

  test("/cp redirects to /cp/ (301) with Go's body for GET only", async () => {
    const get = await s.send("GET", "/cp?x=1");
    assert.equal(get.status, 301);
    assert.equal(get.headers.location, "/cp/?x=1");
    assert.equal(get.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(get.text, '<a href="/cp/?x=1">Moved Permanently</a>.\n\n');
    const head = await s.send("HEAD", "/cp");
    assert.deepEqual(
      [head.status, head.headers.location, head.headers["content-type"], head.text],
      [301, "/cp/", "text/html; charset=utf-8", ""],
    );
    const post = await s.send("POST", "/cp", { body: "{}" });
    assert.deepEqual(
      [post.status, post.headers.location, post.headers["content-type"], post.text],
      [301, "/cp/", undefined, ""],
    );
  });

  test("unclean paths redirect to the clean one before any handler runs", async () => {
    const a = await s.send("POST", "/cp//workspaces/provision");
    assert.deepEqual([a.status, a.headers.location, a.text], [301, "/cp/workspaces/provision", ""]);
    const b = await s.send("GET", "/cp/x/../auth/me");
    assert.deepEqual([b.status, b.headers.location], [301, "/cp/auth/me"]);
    assert.equal(b.text, '<a href="/cp/auth/me">Moved Permanently</a>.\n\n');
    assert.equal(s.stub.state.counters.provisionCalls, 0);
  });

  test("publicUrl option is used in response bodies", async () => {
    const other = await startStub({ publicUrl: "http://cp.example:1234/" });
    try {
      const prov = await other.send("POST", "/cp/workspaces/provision", { body: '{"workspace_id":"w"}' });
      assert.equal(JSON.parse(prov.text).url, "http://cp.example:1234/cp/workspaces/w");
      const config = JSON.parse((await other.send("GET", "/cp/tenants/config")).text);
      assert.deepEqual(config.llm_endpoints, {
        openai: "http://cp.example:1234/llm/openai/v1",
        anthropic: "http://cp.example:1234/llm/anthropic/v1",
      });
    } finally {
      await other.close();
    }
  });

  test("counters are per server instance", async () => {
    const other = await startStub();
    try {
      await other.send("POST", "/cp/workspaces/provision");
      assert.equal(other.stub.state.counters.provisionCalls, 1);
      assert.equal(s.stub.state.counters.provisionCalls, 0);
    } finally {
      await other.close();
    }
  });

  test("a bad %-escape gets Go's raw 400 and the connection is closed", async () => {
    const raw = await rawExchange(s.port, "GET /cp/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(raw, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
    assert.match(raw, /\r\nConnection: close\r\n/);
    assert.ok(raw.endsWith("\r\n\r\n400 Bad Request"), raw);
  });

  test("OPTIONS * is 200 with an empty body; another method with * is 400", async () => {
    const options = await rawExchange(s.port, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(options, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(options, /\r\nContent-Length: 0\r\n/);
    const get = await rawExchange(s.port, "GET * HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(get, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(get, /\r\nConnection: close\r\n/);
  });

  test("a body over maxBodyBytes is refused with 413 (and still journaled)", async () => {
    const small = await startStub({ maxBodyBytes: 10 });
    try {
      assertJson(
        await small.send("POST", "/cp/admin/orgs", { body: "x".repeat(11) }),
        413,
        '{"error":"cp-stub: request body of 11 bytes is over the 10-byte limit"}\n',
      );
      const [entry] = small.stub.state.journal.list();
      assert.deepEqual(
        [entry.path, entry.bodyBytes, entry.bodyTruncated, entry.status],
        ["/cp/admin/orgs", 11, true, 413],
      );
      // At the limit it is accepted.
      assert.equal((await small.send("POST", "/cp/admin/orgs", { body: "x".repeat(10) })).status, 400);
    } finally {
      await small.close();
    }
  });
});
