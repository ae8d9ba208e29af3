/**
 * The edge's limits in real nginx: the body cap (413 over it, intact under it) and the read timeout
 * (504 when the tenant never answers), each with a small configured value.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { tenantHost } from "../program/contracts/hosts";
import { edgeRequest, startEdge, within, type RunningEdge } from "./test-support/edge";
import { startRecordingUpstream, type RecordingUpstream } from "./test-support/recording-upstream";

const HOST = tenantHost("alpha");
const CAP = 1024; // maxBodySize "1k"

describe("edge: body cap and read timeout", () => {
  let upstream: RecordingUpstream;
  let edge: RunningEdge;

  before(async () => {
    upstream = await startRecordingUpstream("alpha");
    edge = await startEdge({
      tenants: [{ name: "alpha", upstream: upstream.address }],
      maxBodySize: "1k",
      readTimeoutSeconds: 1,
    });
  });

  after(async () => {
    await edge?.stop();
    await upstream?.close();
  });

  test("a body over the cap (Content-Length) gets 413 + JSON and never reaches the tenant", async () => {
    const before = upstream.requests.length;
    const res = await edgeRequest(edge.port, HOST, {
      method: "POST",
      path: "/upload",
      body: randomBytes(CAP + 1),
    });
    assert.equal(res.status, 413);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    const body = res.json();
    assert.equal(body.error, "request_body_too_large");
    assert.equal(body.max_body_size, "1k");
    assert.equal(body.tenant, "alpha");
    assert.equal(upstream.requests.length, before, "the tenant received an over-cap request");
  });

  for (const size of [CAP - 1, CAP]) {
    test(`a body of ${size} bytes (cap ${CAP}) arrives intact, byte for byte`, async () => {
      const payload = randomBytes(size);
      const res = await edgeRequest(edge.port, HOST, {
        method: "PUT",
        path: `/upload/${size}`,
        body: payload,
      });
      assert.equal(res.status, 200, res.text);
      const rec = upstream.requests.at(-1)!;
      assert.equal(rec.url, `/upload/${size}`);
      assert.ok(rec.body.equals(payload), "the body changed on the way");
    });
  }

  test("a streamed (chunked) body crossing the cap gets 413 and the tenant never gets it complete", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: edge.port,
          method: "POST",
          path: "/upload/chunked",
          headers: { host: HOST, "transfer-encoding": "chunked" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(Buffer.alloc(CAP / 2, "a"));
      req.end(Buffer.alloc(CAP, "b"));
    });
    assert.equal(status, 413);
    const rec = upstream.requests.find((r) => r.url === "/upload/chunked");
    if (rec !== undefined) {
      // Unbuffered: the tenant may have seen the start; the edge then cut the connection.
      await within(
        10_000,
        "the tenant's connection was never cut",
        waitFor(() => rec.aborted),
      );
      assert.ok(rec.body.length <= CAP, `the tenant got ${rec.body.length} bytes, over the cap`);
    }
  });

  test("a tenant that never answers gets 504 + JSON after the read timeout (its request did arrive)", async () => {
    upstream.route("/hang", () => {
      // never answers; the connection is closed when the upstream closes
    });
    const res = await edgeRequest(edge.port, HOST, { path: "/hang" });
    assert.equal(res.status, 504);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    const body = res.json();
    assert.equal(body.error, "upstream_timeout");
    assert.equal(body.tenant, "alpha");
    assert.match(String(body.message), /read timeout 1 s/);
    assert.ok(
      upstream.requests.some((r) => r.url === "/hang"),
      "the tenant never saw the request: that is not a read timeout",
    );
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}
