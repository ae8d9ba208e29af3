/** ctx against a real HTTP server on loopback: the Host header is really sent, with the right creds. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startPostgres, type LoopbackPostgres } from "../tools/loopback/postgres";
import type { HarnessTarget } from "../program/contracts/target";
import { ReplayAssertionError } from "./assertions";
import { createContext, isCi, type ContextHandle } from "./context";
import type { CpStubApi } from "./cp-stub";
import { runReplays } from "./run";
import { ReplaySkip, ReplayXfail } from "./signals";
import { startFakeEdge, type FakeEdge } from "./test-support/fake-edge";
import { makeReplayDir, makeTarget, SEED, tsReplay } from "./test-support/fixtures";

describe("ctx", () => {
  let edge: FakeEdge;
  let pg: LoopbackPostgres;
  let target: HarnessTarget;
  let handle: ContextHandle;
  const stubCalls: string[] = [];
  const fakeStub = {
    state: async () => ({ provision_calls: 2 }),
    reset: async () => void stubCalls.push("reset"),
  } as unknown as CpStubApi;

  before(async () => {
    pg = await startPostgres();
    const base = makeTarget();
    target = {
      ...base,
      tenants: base.tenants.map((t) => ({ ...t, databaseUrl: pg.url })),
    };
    edge = await startFakeEdge({ tenants: target.tenants, legacyHost: target.legacyHost });
    target.edgeUrl = edge.url;
    handle = createContext({
      name: "ctx-test",
      target,
      seed: SEED,
      env: { CI: "true" },
      write: () => undefined,
      cpStub: fakeStub,
    });
  });
  after(async () => {
    await handle.close();
    await edge.close();
    await pg.stop();
  });

  const last = () => edge.requests[edge.requests.length - 1];

  test("anon sends only the Host header; legacy uses the legacy host", async () => {
    const { ctx } = handle;
    const res = await ctx.tenant("beta").anon.get("/health");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: "ok" });
    assert.equal(last().headers.host, "harness-tenant-beta.localhost");
    assert.equal(last().headers.authorization, undefined);
    assert.equal(last().headers["x-molecule-org-id"], undefined);
    await ctx.legacy.anon.get("/health");
    assert.equal(last().headers.host, "harness-tenant.localhost");
    assert.equal(ctx.legacy.name, "alpha");
    assert.equal(ctx.legacy.seed.parent, SEED.tenants.alpha.parent);
  });

  test("admin sends Host + bearer + org id + JSON content type, and a JSON body", async () => {
    const { ctx } = handle;
    const res = await ctx.tenant("alpha").admin.post("/echo", { hello: "world" });
    assert.equal(res.status, 200);
    const echoed = res.json<{ headers: Record<string, string>; body: string }>();
    assert.equal(echoed.headers.host, "harness-tenant-alpha.localhost");
    assert.equal(echoed.headers.authorization, "Bearer token-alpha");
    assert.equal(echoed.headers["x-molecule-org-id"], "org-alpha");
    assert.equal(echoed.headers["content-type"], "application/json");
    assert.equal(echoed.body, '{"hello":"world"}');
    assert.equal(res.describe, "POST /echo (Host: harness-tenant-alpha.localhost)");
  });

  test("credsOf: this tenant's Host with the other tenant's bearer and org id (rejected by the guard)", async () => {
    const { ctx } = handle;
    const res = await ctx.tenant("beta").credsOf("alpha").get("/workspaces");
    assert.equal(res.status, 404);
    assert.equal(last().headers.host, "harness-tenant-beta.localhost");
    assert.equal(last().headers.authorization, "Bearer token-alpha");
    assert.equal(last().headers["x-molecule-org-id"], "org-alpha");
    const same = ctx.tenant("alpha").credsOf(ctx.tenant("beta"));
    assert.equal(same.host, "harness-tenant-alpha.localhost");
    assert.equal(same.headers.authorization, "Bearer token-beta");
  });

  test("client()/with(): missing org header → 400, a header removed with null, query strings", async () => {
    const { ctx } = handle;
    const alpha = ctx.tenant("alpha");
    const noOrg = await alpha.client({ token: alpha.adminToken }).get("/workspaces");
    assert.equal(noOrg.status, 400);
    assert.equal(noOrg.json<{ code: string }>().code, "TENANT_ORG_HEADER_REQUIRED");
    const wrongOrg = await alpha.admin.with({ "X-Molecule-Org-Id": "not-the-right-org" }).get("/workspaces");
    assert.equal(wrongOrg.status, 404);
    assert.equal(wrongOrg.text, "");
    await alpha.admin.with({ authorization: null }).get("/echo", { query: { a: 1, b: "x y", c: undefined } });
    assert.equal(last().headers.authorization, undefined);
    assert.equal(last().path, "/echo?a=1&b=x+y");
  });

  test("edge.request with an explicit Host; headers of the response; unknown host", async () => {
    const { ctx } = handle;
    const res = await ctx.edge.request({ host: "nobody.localhost", path: "/health" });
    assert.equal(res.status, 421);
    assert.equal(res.header("Content-Type"), "application/json");
    assert.equal(ctx.edge.url, edge.url);
  });

  test("assertion messages name the check, expected, actual, request and a body excerpt", async () => {
    const { ctx } = handle;
    const res = await ctx.tenant("beta").admin.get("/workspaces");
    assert.throws(
      () => ctx.assert.expectStatus(res, 404, "cross-tenant read"),
      (e: Error) => {
        assert.ok(e instanceof ReplayAssertionError);
        assert.equal(
          e.message,
          "cross-tenant read: expected HTTP 404 from GET /workspaces (Host: harness-tenant-beta.localhost), got 200; body: []",
        );
        return true;
      },
    );
    assert.throws(
      () => ctx.assert.expectJsonSubset(res, { code: "X" }, "body"),
      /body: expected JSON from GET \/workspaces .* to contain \{ code: 'X' \}, got \[\]/,
    );
    assert.throws(
      () => ctx.assert.expectHeader(res, "x-ray", /./),
      /expected header x-ray: \/\.\/ from GET .*, got no such header/,
    );
    assert.throws(
      () => ctx.assert.expectNoMatch("tenant not found", /tenant|org/i, "404 body"),
      /404 body: expected no match for \/tenant\|org\/i, found 'tenant'/,
    );
    assert.throws(
      () => ctx.assert.expectEqual(["b", "a"], ["a", "b"], "names"),
      /names: expected \[ 'a', 'b' \], got \[ 'b', 'a' \]/,
    );
    assert.throws(() => ctx.assert.expectIncludes([1, 2], 3, "ids"), /ids: expected \[ 1, 2 \] to include 3/);
    assert.throws(() => ctx.assert.expectLength([1], 2, "rows"), /rows: expected length 2, got 1/);
    assert.throws(() => ctx.assert.expect(false, "plain"), /^ReplayAssertionError: plain$/);
    const empty = await ctx.tenant("alpha").admin.with({ "x-molecule-org-id": "wrong" }).get("/nothing");
    assert.throws(
      () => empty.json(),
      /^HttpRequestError: GET \/nothing \(Host: harness-tenant-alpha\.localhost\): expected a JSON body \(HTTP 404\), got \(empty body\)$/,
    );
  });

  test("a WebSocket through the edge carries the Host header; a rejected upgrade names the status", async () => {
    const { ctx } = handle;
    const socket = await ctx.tenant("beta").anon.websocket("/ws");
    const reply = await new Promise<string>((resolve) => {
      socket.once("message", (data) => resolve(String(data)));
      socket.send("ping");
    });
    assert.equal(reply, "beta:ping");
    const upgrade = edge.requests.filter((r) => r.upgrade).pop();
    assert.equal(upgrade?.headers.host, "harness-tenant-beta.localhost");
    socket.close();
    await assert.rejects(
      ctx.tenant("alpha").anon.websocket("/nope"),
      /WebSocket \/nope \(Host: harness-tenant-alpha\.localhost\): expected HTTP 101 \(upgrade\), got 400; body: bad upgrade/,
    );
  });

  test("db and sql use the tenant's postgres; pools are closed by close()", async () => {
    const { ctx } = handle;
    const rows = await ctx.tenant("alpha").sql<{ n: number }>("SELECT $1::int AS n", [41]);
    assert.deepEqual(rows, [{ n: 41 }]);
    const { rows: viaPool } = await ctx.tenant("beta").db.query("SELECT current_database() AS d");
    assert.equal(viaPool[0].d, "molecule");
  });

  test("tenants in config order, tenant() lists names when unknown, seed ids, ci, cpStub, skip/xfail", async () => {
    const { ctx } = handle;
    assert.deepEqual(
      ctx.tenants.map((t) => t.name),
      ["alpha", "beta"],
    );
    assert.throws(() => ctx.tenant("gamma"), /no tenant named "gamma"; the target has alpha, beta/);
    assert.deepEqual(ctx.tenant("beta").seed, SEED.tenants.beta);
    assert.equal(ctx.ci, true);
    assert.deepEqual(await ctx.cpStub.state(), { provision_calls: 2 });
    assert.throws(
      () => ctx.skip("why"),
      (e: Error) => e instanceof ReplaySkip && e.reason === "why",
    );
    assert.throws(
      () => ctx.xfail("why"),
      (e: Error) => e instanceof ReplayXfail && e.reason === "why",
    );
    let attempts = 0;
    const value = await ctx.eventually(
      () => {
        attempts += 1;
        if (attempts < 3) throw new Error("not yet");
        return "ready";
      },
      { intervalMs: 10 },
    );
    assert.equal(value, "ready");
    await assert.rejects(
      ctx.eventually(() => Promise.reject(new Error("never")), { timeoutMs: 50, intervalMs: 10 }),
      /never/,
    );
  });

  test("network errors name the request and the edge", async () => {
    const dead = createContext({
      name: "x",
      target: makeTarget(),
      seed: SEED,
      env: {},
      write: () => undefined,
    });
    await assert.rejects(
      dead.ctx.tenant("alpha").anon.get("/health"),
      /GET \/health \(Host: harness-tenant-alpha\.localhost\) via http:\/\/127\.0\.0\.1:9 failed: ECONNREFUSED/,
    );
    assert.equal(dead.ctx.ci, false);
    await dead.close();
  });

  test("ctx.log prefixes every line and cannot fake a verdict or a marker", () => {
    const written: string[] = [];
    const logging = createContext({
      name: "x",
      target: makeTarget(),
      seed: SEED,
      env: {},
      write: (t) => void written.push(t),
    });
    logging.ctx.log("two\nlines", { a: 1 });
    logging.ctx.log("FAIL: not really");
    logging.ctx.log("__SKIP__:#1:nope");
    assert.equal(
      written.join(""),
      "[replay] two\n[replay] lines { a: 1 }\n[replay] | FAIL: not really\n[replay] | __SKIP__:#1:nope\n",
    );
    void logging.close();
  });

  test("isCi", () => {
    assert.equal(isCi({}), false);
    assert.equal(isCi({ CI: "true" }), true);
    assert.equal(isCi({ GITHUB_ACTIONS: "true" }), true);
    assert.equal(isCi({ CI: "false" }), false);
    assert.equal(isCi({ CI: "0" }), false);
  });

  test("a TypeScript replay run by the runner reaches the fake tenant with the right headers", async () => {
    const dir = makeReplayDir();
    dir.write(
      "isolation.ts",
      tsReplay(`{
        closes: "#0",
        proves: "alpha's admin creds are refused at beta's host",
        async run(ctx) {
          const alpha = ctx.tenant("alpha");
          const beta = ctx.tenant("beta");
          ctx.assert.expectStatus(await alpha.admin.get("/workspaces"), 200, "alpha lists its own");
          const leak = await beta.credsOf(alpha).get("/workspaces");
          ctx.assert.expectStatus(leak, 404, "alpha creds at beta");
          ctx.assert.expectEqual(leak.text, "", "404 body leaks nothing");
          const rows = await alpha.sql("SELECT 1 AS one");
          ctx.assert.expectEqual(rows, [{ one: 1 }], "db");
        },
      }`),
    );
    const run = () =>
      runReplays({
        replaysDir: dir.replays,
        target: { ...target, reportsDir: dir.reports },
        seed: SEED,
        progress: () => undefined,
        logSource: null,
        journal: null,
        stepSummaryFile: null,
      });
    const summary = await run();
    assert.equal(summary.results[0].status, "PASS", summary.results[0].message);
    // The bug class: a tenant that accepts another tenant's credentials.
    edge.misbehave.guardOff = true;
    edge.misbehave.anyBearer = true;
    try {
      const broken = await run();
      assert.equal(broken.results[0].status, "FAIL");
      assert.match(
        broken.results[0].message,
        /^alpha creds at beta: expected HTTP 404 from GET \/workspaces \(Host: harness-tenant-beta\.localhost\), got 200; body: \[\]$/,
      );
    } finally {
      edge.misbehave.guardOff = false;
      edge.misbehave.anyBearer = false;
    }
  });
});
