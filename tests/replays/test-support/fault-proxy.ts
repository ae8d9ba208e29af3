/**
 * A fault-injecting layer between the edge and a real reference tenant (L4): transparent until a
 * test sets a fault, then it gives the tenant exactly one bug as seen from outside — a request
 * changed on its way in (a header rewritten, a query parameter dropped, a different upstream), an
 * answer in the tenant's place, or the tenant's answer changed on its way out. The product code
 * stays clean; the bug lives only here, for the length of one test.
 *
 * HTTP requests and WebSocket upgrades both pass through (an upgrade is relayed as raw bytes after
 * its request head, which a fault may also change or answer).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { STATUS_CODES } from "node:http";

export interface FaultRequest {
  method: string;
  /** Path and query as received (the request target). */
  url: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names; a fault may change this object (it is what gets forwarded). */
  headers: IncomingHttpHeaders;
  upgrade: boolean;
}

export interface FaultAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a fault decides for one request; `{}` (or nothing) forwards it unchanged. */
export interface FaultAction {
  /** Answer in the tenant's place; nothing is forwarded. */
  answer?: FaultAnswer;
  /** Forward to this origin (e.g. `http://127.0.0.1:4000`) instead of the tenant. */
  origin?: string;
  /** Forward with this request target instead (path + query). */
  url?: string;
  /** Sees (and may replace) the request body before it is forwarded; the body is buffered. */
  body?: (text: string) => string | void | Promise<string | void>;
  /** Change the upstream's answer (the body is buffered; Content-Length is recomputed). */
  response?: (res: UpstreamResponse) => UpstreamResponse | Promise<UpstreamResponse>;
}

export type Fault = (req: FaultRequest) => FaultAction | void | Promise<FaultAction | void>;

export interface FaultProxy {
  /** `127.0.0.1:<port>`, for the edge's upstream. */
  readonly address: string;
  /** The one bug this layer has now; null = transparent. */
  fault: Fault | null;
  close(): Promise<void>;
}

// Connection-specific headers are never forwarded by a proxy (RFC 9110 §7.6.1); the upgrade path
// keeps its own.
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

function view(method: string, url: string, headers: IncomingHttpHeaders, upgrade: boolean): FaultRequest {
  const parsed = new URL(url, "http://fault.invalid");
  return { method, url, path: parsed.pathname, query: parsed.searchParams, headers: { ...headers }, upgrade };
}

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

function headLines(headers: IncomingHttpHeaders): string {
  return Object.entries(headers)
    .flatMap(([name, value]) =>
      value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}\r\n`),
    )
    .join("");
}

function rawAnswer(socket: Socket, answer: FaultAnswer): void {
  const body = answer.body ?? "";
  const headers = {
    ...answer.headers,
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  };
  socket.end(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n${headLines(headers)}\r\n${body}`,
  );
}

export async function startFaultProxy(upstreamOrigin: string): Promise<FaultProxy> {
  const proxy: { fault: Fault | null } = { fault: null };
  const decide = async (req: FaultRequest): Promise<FaultAction> => (await proxy.fault?.(req)) ?? {};

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const req = view(incoming.method ?? "GET", incoming.url ?? "/", incoming.headers, false);
      const action = await decide(req);
      if (action.answer) {
        const body = action.answer.body ?? "";
        outgoing.writeHead(action.answer.status, {
          ...action.answer.headers,
          "content-length": Buffer.byteLength(body),
        });
        outgoing.end(body);
        incoming.resume();
        return;
      }
      const target = new URL(action.url ?? req.url, action.origin ?? upstreamOrigin);
      const upstream = httpRequest(
        target,
        { method: req.method, headers: forwardable(req.headers), agent: false },
        (answer) => {
          if (!action.response) {
            outgoing.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
            answer.pipe(outgoing);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () => {
            void (async () => {
              const changed = await action.response!({
                status: answer.statusCode ?? 502,
                headers: forwardable(answer.headers),
                body: Buffer.concat(chunks).toString("utf8"),
              });
              outgoing.writeHead(changed.status, {
                ...changed.headers,
                "content-length": Buffer.byteLength(changed.body),
              });
              outgoing.end(changed.body);
            })();
          });
        },
      );
      upstream.on("error", (error) => {
        if (outgoing.headersSent) outgoing.destroy(error);
        else outgoing.writeHead(502, { "content-type": "text/plain" }).end(`fault proxy: ${error.message}`);
      });
      if (!action.body) {
        incoming.pipe(upstream);
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const original = Buffer.concat(chunks).toString("utf8");
      const changed = (await action.body(original)) ?? original;
      upstream.setHeader("content-length", Buffer.byteLength(changed));
      upstream.end(changed);
    })().catch((error: unknown) => outgoing.destroy(error as Error));
  });

  server.on("upgrade", (incoming, socket: Socket, head: Buffer) => {
    void (async () => {
      const req = view(incoming.method ?? "GET", incoming.url ?? "/", incoming.headers, true);
      const action = await decide(req);
      if (action.answer) return rawAnswer(socket, action.answer);
      const target = new URL(action.url ?? req.url, action.origin ?? upstreamOrigin);
      const upstream = connect(Number(target.port), target.hostname, () => {
        upstream.write(
          `${req.method} ${target.pathname}${target.search} HTTP/1.1\r\n${headLines(req.headers)}\r\n`,
        );
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      const drop = () => {
        upstream.destroy();
        socket.destroy();
      };
      upstream.on("error", drop);
      socket.on("error", drop);
      upstream.on("close", () => socket.end());
      socket.on("close", () => upstream.end());
    })().catch(() => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    get fault() {
      return proxy.fault;
    },
    set fault(fault: Fault | null) {
      proxy.fault = fault;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
