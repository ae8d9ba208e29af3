/**
 * No buffering, proven without timing: each side withholds its second part until the other side
 * reports (through a side channel in this process) that the first part crossed the edge. A buffering
 * edge holds part 1 back until part 2 arrives, so the exchange deadlocks and `within` fails it.
 */
import assert from "node:assert/strict";
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import { tenantHost } from "../program/contracts/hosts";
import { startEdge, within, type RunningEdge } from "./test-support/edge";
import {
  headerValue,
  readBody,
  startRecordingUpstream,
  type RecordingUpstream,
} from "./test-support/recording-upstream";

const HOST = tenantHost("alpha");
const DEADLOCK_MS = 10_000;

/** A promise with its resolver, for the side channel between the test and the upstream. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function open(port: number, method: string, path: string, headers: Record<string, string | number> = {}) {
  const response = signal<IncomingMessage>();
  const req: ClientRequest = request(
    { host: "127.0.0.1", port, method, path, headers: { host: HOST, ...headers } },
    response.resolve,
  );
  return { req, response: response.promise };
}

function collect(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    res.on("data", (chunk: Buffer) => (text += chunk.toString()));
    res.on("end", () => resolve(text));
    res.on("error", reject);
  });
}

describe("edge: streaming (no request or response buffering)", () => {
  let upstream: RecordingUpstream;
  let edge: RunningEdge;

  before(async () => {
    upstream = await startRecordingUpstream("alpha");
    edge = await startEdge({ tenants: [{ name: "alpha", upstream: upstream.address }] });
  });

  after(async () => {
    await edge?.stop();
    await upstream?.close();
  });

  test("response: the client gets chunk 1 while the tenant is still waiting to send chunk 2", async () => {
    const clientGotChunk1 = signal();
    const upstreamSentChunk2 = signal();
    upstream.route("/stream/response", (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: chunk-1\n\n");
      void clientGotChunk1.promise.then(() => {
        res.end("data: chunk-2\n\n");
        upstreamSentChunk2.resolve();
      });
    });

    const { req, response } = open(edge.port, "GET", "/stream/response");
    req.end();
    const res = await within(DEADLOCK_MS, "no response headers through the edge", response);
    assert.equal(res.statusCode, 200);
    let received = "";
    const whole = new Promise<string>((resolve) => {
      res.on("data", (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes("chunk-1")) clientGotChunk1.resolve();
      });
      res.on("end", () => resolve(received));
    });
    await within(
      DEADLOCK_MS,
      "chunk 1 never reached the client while the tenant held chunk 2: the edge buffers responses",
      clientGotChunk1.promise,
    );
    assert.ok(!received.includes("chunk-2"), "chunk 2 arrived before the tenant was told to send it");
    await upstreamSentChunk2.promise;
    assert.equal(
      await within(DEADLOCK_MS, "response never ended", whole),
      "data: chunk-1\n\ndata: chunk-2\n\n",
    );
  });

  test("response backpressure: while the client reads nothing, the tenant cannot push the body through", async () => {
    // nginx with proxy_buffering on still forwards small chunks at once (the test above), but it
    // soaks up a body the client is not reading into a temp file (up to 1 GB). Unbuffered, the
    // tenant stalls once the socket buffers (a few MB) are full and finishes only as the client reads.
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, "x");
    let accepted = 0;
    let finished = false;
    upstream.route("/stream/backpressure", (_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total });
      const pump = () => {
        while (accepted < total) {
          accepted += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end(() => (finished = true));
      };
      pump();
    });

    const { req, response } = open(edge.port, "GET", "/stream/backpressure");
    req.end();
    const res = await within(DEADLOCK_MS, "no response headers through the edge", response);
    res.pause();
    // Wait until the tenant's progress settles (no new bytes accepted for 500 ms) or it finished.
    // This only waits; it asserts no speed. A buffering edge lets the tenant finish.
    let last = -1;
    for (let i = 0; i < 40 && !finished && accepted !== last; i++) {
      last = accepted;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(
      !finished,
      `the tenant wrote all ${total} bytes while the client read none: the edge buffers responses`,
    );
    assert.ok(accepted < total);
    let received = 0;
    res.on("data", (data: Buffer) => (received += data.length));
    const ended = new Promise((resolve) => res.on("end", resolve));
    res.resume();
    await within(30_000, "the body never completed once the client read", ended);
    assert.equal(received, total);
    assert.ok(finished);
  });

  for (const framing of ["chunked", "content-length"] as const) {
    test(`request (${framing}): the tenant gets part 1 before the client has sent part 2`, async () => {
      const upstreamGotPart1 = signal();
      upstream.route(`/stream/request/${framing}`, (req, res, rec) => {
        let seen = "";
        req.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes("part-1")) upstreamGotPart1.resolve();
        });
        void readBody(req, rec).then(() => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end(seen);
        });
      });

      const parts = ["part-1|", "part-2"];
      const headers: Record<string, string | number> =
        framing === "chunked"
          ? { "transfer-encoding": "chunked" }
          : { "content-length": Buffer.byteLength(parts.join("")) };
      const { req, response } = open(edge.port, "POST", `/stream/request/${framing}`, headers);
      req.write(parts[0]);
      await within(
        DEADLOCK_MS,
        "part 1 never reached the tenant while the client held part 2: the edge buffers request bodies",
        upstreamGotPart1.promise,
      );
      req.end(parts[1]);
      const res = await within(DEADLOCK_MS, "no response after the body completed", response);
      assert.equal(res.statusCode, 200);
      assert.equal(await collect(res), "part-1|part-2");
      const rec = upstream.requests.at(-1)!;
      assert.equal(rec.body.toString(), "part-1|part-2");
      // With HTTP/1.1 upstream, nginx keeps chunked framing instead of spooling to learn the length.
      if (framing === "chunked") assert.equal(headerValue(rec, "transfer-encoding"), "chunked");
      else assert.equal(headerValue(rec, "content-length"), String(Buffer.byteLength(parts.join(""))));
    });
  }
});
