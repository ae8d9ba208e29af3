/**
 * Helpers for the cp-stub's loopback tests: a stub on a free port and clients that send the path
 * exactly as written (no URL normalisation), so Go's path rules can be exercised.
 */
import { connect } from "node:net";
import { Pool } from "undici";
import { buildCpStub, type CpStub, type CpStubOptions } from "./app";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RunningStub {
  stub: CpStub;
  url: string;
  port: number;
  /** Sends one request with the path verbatim. */
  send(
    method: string,
    path: string,
    init?: { body?: string | Buffer; headers?: Record<string, string> },
  ): Promise<Answer>;
  close(): Promise<void>;
}

export async function startStub(options: CpStubOptions = {}): Promise<RunningStub> {
  const stub = buildCpStub(options);
  const { url, port } = await stub.listen(0, "127.0.0.1");
  // A pool, so a request kept waiting (a delayed override) does not block the next one.
  const client = new Pool(url);
  return {
    stub,
    url,
    port,
    async send(method, path, init = {}) {
      const res = await client.request({ method, path, headers: init.headers, body: init.body });
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    },
    async close() {
      await stub.close(1000);
      await client.destroy();
    },
  };
}

/** Writes raw bytes on a fresh connection and returns everything read until the server closes
 * the connection or `idleMs` passes without data. For request lines undici refuses to send. */
export function rawExchange(port: number, request: string, idleMs = 300): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let out = "";
    let timer = setTimeout(() => socket.destroy(), idleMs);
    socket.on("data", (chunk) => {
      out += chunk.toString("latin1");
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), idleMs);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on("error", reject);
  });
}
