/** The cp-stub admin client against a loopback server speaking the agreed wire shapes. */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { CpStubClient } from "./cp-stub-client";

describe("CpStubClient", () => {
  const seen: string[] = [];
  let url: string;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(value)}\n`);
      if (req.url === "/__stub/state")
        return json(200, { redeploy_fleet_calls: 0, provision_calls: 2, tenants_config_calls: 1 });
      if (req.url === "/__stub/reset") return json(200, { ok: true });
      if (req.url?.startsWith("/__stub/requests"))
        return json(200, { requests: [{ id: 3, method: "POST", path: "/cp/workspaces/provision" }] });
      if (req.url === "/__stub/routes" && req.method === "POST")
        return json(201, { id: 7, ...JSON.parse(body), hits: 0 });
      if (req.url === "/__stub/routes") return json(200, { routes: [{ id: 7 }] });
      if (req.url === "/__stub/routes/7" && req.method === "DELETE") return json(200, { ok: true });
      return json(404, { error: "no override with id 8" });
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test("state, reset, requests with a filter, routes", async () => {
    const stub = new CpStubClient(url);
    assert.equal((await stub.state()).provision_calls, 2);
    await stub.reset();
    const requests = await stub.requests({ method: "POST", pathPrefix: "/cp/", since: 2 });
    assert.equal(requests[0].id, 3);
    const route = await stub.addRoute({
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 500,
      times: "once",
    });
    assert.equal(route.id, 7);
    assert.deepEqual(await stub.listRoutes(), [{ id: 7 }]);
    await stub.removeRoute(7);
    assert.deepEqual(seen.slice(0, 4), [
      "GET /__stub/state ",
      "POST /__stub/reset ",
      "GET /__stub/requests?method=POST&pathPrefix=%2Fcp%2F&since=2 ",
      'POST /__stub/routes {"method":"POST","path":"/cp/workspaces/provision","status":500,"times":"once"}',
    ]);
  });

  test("errors name the call, the status and the body", async () => {
    const stub = new CpStubClient(url);
    await assert.rejects(
      stub.removeRoute(8),
      /cp-stub DELETE \/__stub\/routes\/8 \(http:\/\/127\.0\.0\.1:\d+\): HTTP 404; body: \{"error":"no override with id 8"\}/,
    );
    await assert.rejects(
      new CpStubClient("http://127.0.0.1:9").state(),
      /cp-stub GET \/__stub\/state .* failed: .*ECONNREFUSED/,
    );
  });
});
