/**
 * A stand-in tenant for the loopback tests: an HTTP server that records every request it receives
 * (method, URL, headers as sent, body) and echoes WebSocket messages, so a test can assert exactly
 * what the edge forwarded, and that an unrouted request never arrived.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

export interface RecordedRequest {
  method: string;
  url: string;
  /** Header name/value pairs exactly as received (original case, duplicates kept). */
  rawHeaders: [string, string][];
  /** Filled in once the body has been read (by the default handler, or by a route that reads it). */
  body: Buffer;
  /** True when the connection broke before the body was complete. */
  aborted: boolean;
}

/** A route takes over the answer for requests whose path starts with its prefix. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => void;

export interface RecordingUpstream {
  readonly name: string;
  readonly port: number;
  /** `host:port`, as an edge tenant's `upstream`. */
  readonly address: string;
  readonly requests: RecordedRequest[];
  /** WebSocket upgrade requests (they do not appear in `requests`). */
  readonly upgrades: RecordedRequest[];
  route(pathPrefix: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/** Every value of header `name` (case-insensitive) in a recorded request. */
export function headerValues(record: RecordedRequest, name: string): string[] {
  return record.rawHeaders
    .filter(([key]) => key.toLowerCase() === name.toLowerCase())
    .map(([, value]) => value);
}

/** The single value of header `name`; undefined when absent; throws when sent more than once. */
export function headerValue(record: RecordedRequest, name: string): string | undefined {
  const values = headerValues(record, name);
  if (values.length > 1)
    throw new Error(`header ${name} arrived ${values.length} times: ${JSON.stringify(values)}`);
  return values[0];
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

function record(req: IncomingMessage): RecordedRequest {
  return {
    method: req.method ?? "",
    url: req.url ?? "",
    rawHeaders: pairs(req.rawHeaders),
    body: Buffer.alloc(0),
    aborted: false,
  };
}

/** Reads a request body into `into.body`; resolves when the client has finished sending. */
export function readBody(req: IncomingMessage, into: RecordedRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      into.body = Buffer.concat(chunks);
      resolve(into.body);
    });
    req.on("error", (error) => {
      into.body = Buffer.concat(chunks);
      into.aborted = true;
      reject(error);
    });
  });
}

export async function startRecordingUpstream(
  name: string,
  host = "127.0.0.1",
  port = 0,
): Promise<RecordingUpstream> {
  const requests: RecordedRequest[] = [];
  const upgrades: RecordedRequest[] = [];
  const routes = new Map<string, RouteHandler>();

  const server = createServer((req, res) => {
    const rec = record(req);
    requests.push(rec);
    const path = rec.url;
    const custom = [...routes.entries()].find(([prefix]) => path.startsWith(prefix));
    if (custom) {
      custom[1](req, res, rec);
      return;
    }
    readBody(req, rec).then(
      (body) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ tenant: name, method: rec.method, url: rec.url, bodyBytes: body.length }));
      },
      () => res.destroy(), // the edge gave up on the request (recorded as aborted)
    );
  });

  // Echo server on any upgrade path: proves the upgrade and both directions of the tunnel.
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    upgrades.push(record(req));
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) =>
        ws.send(isBinary ? data : `${name}:${String(data)}`, { binary: isBinary }),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    name,
    port: actualPort,
    address: `${host}:${actualPort}`,
    requests,
    upgrades,
    route: (prefix, handler) => void routes.set(prefix, handler),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
