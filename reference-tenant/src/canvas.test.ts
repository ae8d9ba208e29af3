import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { request } from "undici";
import { createCanvasServer } from "./canvas";

const server = createCanvasServer();
let base: string;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("canvas: any path is the HTML page", async () => {
  for (const path of ["/", "/does-not-exist", "/workspaces/x?y=1"]) {
    const res = await request(`${base}${path}`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/html/);
    assert.match(await res.body.text(), /<h1>Molecule canvas<\/h1>/);
  }
  const head = await request(`${base}/x`, { method: "HEAD" });
  assert.equal(head.statusCode, 200);
  assert.equal(await head.body.text(), "");
});

test("canvas: /__canvas/request echoes the request line and headers exactly as received", async () => {
  const res = await request(`${base}/__canvas/request?a=1&b=2`, {
    method: "POST",
    // A flat name/value list, so X-Multi really arrives twice.
    headers: [
      "X-Request-Id",
      "r1",
      "Accept",
      "text/html",
      "X-Multi",
      "one",
      "X-Multi",
      "two",
      "Content-Type",
      "application/json",
    ],
    body: '{"ignored":true}',
  });
  assert.equal(res.statusCode, 200);
  const echoed = (await res.body.json()) as { method: string; url: string; headers: Record<string, string> };
  assert.equal(echoed.method, "POST");
  assert.equal(echoed.url, "/__canvas/request?a=1&b=2");
  assert.equal(echoed.headers["x-request-id"], "r1");
  assert.equal(echoed.headers["x-multi"], "one, two");
  assert.equal(echoed.headers.accept, "text/html");
  assert.ok(!("authorization" in echoed.headers));
  assert.ok(Object.keys(echoed.headers).every((k) => k === k.toLowerCase()));
});
