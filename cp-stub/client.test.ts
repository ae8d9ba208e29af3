/** CpStubClient against a live stub on loopback. */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { request } from "undici";
import { CpStubClient, CpStubError } from "./client";
import { buildCpStub, type CpStub } from "./src/app";
import { freePort } from "../tools/loopback/free-port";

describe("CpStubClient (live stub)", () => {
  let stub: CpStub;
  let base: string;
  let client: CpStubClient;

  before(async () => {
    stub = buildCpStub();
    base = (await stub.listen(0, "127.0.0.1")).url;
    client = new CpStubClient(`${base}/`);
  });
  after(async () => {
    await stub.close(1000);
  });
  beforeEach(async () => {
    await client.reset();
  });

  const post = async (path: string, body?: string): Promise<number> => {
    const res = await request(`${base}${path}`, { method: "POST", body });
    await res.body.dump();
    return res.statusCode;
  };

  test("baseUrl is normalised; a non-URL is refused", () => {
    assert.equal(client.baseUrl, base);
    assert.throws(() => new CpStubClient("cp-stub:9090"), /baseUrl must be an http\(s\) URL/);
  });

  test("state() and reset()", async () => {
    await post("/cp/workspaces/provision");
    await post("/cp/admin/tenants/redeploy-fleet");
    assert.deepEqual(await client.state(), {
      redeploy_fleet_calls: 1,
      provision_calls: 1,
      tenants_config_calls: 0,
    });
    await client.reset();
    assert.deepEqual(await client.state(), {
      redeploy_fleet_calls: 0,
      provision_calls: 0,
      tenants_config_calls: 0,
    });
    assert.deepEqual(await client.requests(), []);
  });

  test("requests() with every filter", async () => {
    await post("/cp/workspaces/provision", '{"workspace_id":"a"}');
    await post("/cp/admin/orgs", "{}");
    const all = await client.requests();
    assert.deepEqual(
      all.map((e) => [e.method, e.path, e.status]),
      [
        ["POST", "/cp/workspaces/provision", 201],
        ["POST", "/cp/admin/orgs", 400],
      ],
    );
    assert.equal(all[0].body, '{"workspace_id":"a"}');
    assert.deepEqual(
      (await client.requests({ method: "post", pathPrefix: "/cp/admin/" })).map((e) => e.path),
      ["/cp/admin/orgs"],
    );
    assert.deepEqual((await client.requests({ path: "/cp/workspaces/provision" })).length, 1);
    assert.deepEqual(
      (await client.requests({ since: all[0].id })).map((e) => e.id),
      [all[1].id],
    );
  });

  test("addRoute(), listRoutes(), removeRoute()", async () => {
    const o = await client.addRoute({
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 500,
      body: { e: 1 },
      times: "sticky",
    });
    assert.deepEqual(o, {
      id: o.id,
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 500,
      body: { e: 1 },
      headers: {},
      delayMs: 0,
      times: "sticky",
      hits: 0,
    });
    assert.equal(await post("/cp/workspaces/provision"), 500);
    const [listed] = await client.listRoutes();
    assert.deepEqual([listed.id, listed.hits], [o.id, 1]);
    await client.removeRoute(o.id);
    assert.deepEqual(await client.listRoutes(), []);
    assert.equal(await post("/cp/workspaces/provision"), 201);
  });

  test("non-2xx answers throw CpStubError carrying the stub's reason", async () => {
    const bad = await client.addRoute({ method: "GET", path: "/cp/x", status: 600 }).then(
      () => assert.fail("expected a 400"),
      (error: unknown) => error,
    );
    assert.ok(bad instanceof CpStubError);
    assert.equal(bad.status, 400);
    assert.equal(bad.method, "POST");
    assert.equal(bad.url, `${base}/__stub/routes`);
    assert.equal(
      bad.message,
      `cp-stub: POST ${base}/__stub/routes answered 400: "status" must be an integer HTTP status from 100 to 599; got 600`,
    );
    await assert.rejects(client.removeRoute(424242), {
      name: "CpStubError",
      status: 404,
      message: `cp-stub: DELETE ${base}/__stub/routes/424242 answered 404: no override with id 424242`,
    });
    await assert.rejects(
      client.requests({ path: "no-slash" }),
      /answered 400: path must start with "\/"; got "no-slash"$/,
    );
  });

  test("transport failures throw CpStubError with no status", async () => {
    const port = await freePort();
    const down = new CpStubClient(`http://127.0.0.1:${port}`, { timeoutMs: 2000 });
    await assert.rejects(down.state(), (error: unknown) => {
      assert.ok(error instanceof CpStubError);
      assert.equal(error.status, null);
      assert.match(
        error.message,
        new RegExp(`^cp-stub: GET http://127\\.0\\.0\\.1:${port}/__stub/state failed: `),
      );
      return true;
    });
  });

  test("waitForRequests() resolves once the tenant's call arrives, and times out with what it saw", async () => {
    setTimeout(() => void post("/cp/tenants/config"), 150);
    const found = await client.waitForRequests(
      { path: "/cp/tenants/config" },
      { timeoutMs: 5000, intervalMs: 20 },
    );
    assert.equal(found.length, 1);
    await assert.rejects(
      client.waitForRequests({ path: "/cp/never" }, { timeoutMs: 100, intervalMs: 20 }),
      /^Error: cp-stub: waited 100 ms for 1 request\(s\) matching \{"path":"\/cp\/never"\}, saw 0$/,
    );
  });
});
