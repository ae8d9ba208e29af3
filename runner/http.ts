/**
 * An HTTP client for replays that really sends the `Host` header (fetch strips it; undici.request
 * does not), so one edge URL reaches every tenant the way the CDN would. Bodies are read whole;
 * every error names the request.
 */
import type { Agent, Dispatcher } from "undici";
import type WebSocket from "ws";
import { excerpt } from "./assertions";
import { errorMessage } from "./errors";

type Undici = typeof import("undici");
let undiciModule: Promise<Undici> | undefined;
let wsModule: Promise<typeof WebSocket> | undefined;
// undici and ws load on first use: a replay (or a worker) that sends nothing does not pay for them.
const loadUndici = () => (undiciModule ??= import("undici"));
const loadWebSocket = () => (wsModule ??= import("ws").then((m) => m.default));

export type HeaderValues = Record<string, string | null | undefined>;

export interface HttpRequest {
  method?: string;
  /** Path and optional query string, e.g. `/workspaces?limit=2`. */
  path: string;
  /** Appended to the path's query string; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Extra headers; null or undefined removes a header a client would send by default. */
  headers?: HeaderValues;
  body?: string | Uint8Array;
  /** Sent as JSON (sets Content-Type: application/json unless given). */
  json?: unknown;
  /** Per-request timeout (headers and body each); default from the client. */
  timeoutMs?: number;
}

export interface EdgeRequest extends HttpRequest {
  /** The Host header: which tenant the edge routes to. */
  host: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** Parses the body; throws a message with the status and a body excerpt if it is not JSON. */
  json<T = unknown>(): T;
  header(name: string): string | undefined;
  method: string;
  url: string;
  host: string;
  /** `GET /path (Host: h)`, for messages. */
  describe: string;
}

export class HttpRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpRequestError";
  }
}

export interface WebSocketRequest {
  host: string;
  path: string;
  headers?: HeaderValues;
  timeoutMs?: number;
}

export interface HttpClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Default per-request timeout. */
  timeoutMs?: number;
}

function withQuery(path: string, query: HttpRequest["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) params.append(key, String(value));
  const qs = params.toString();
  if (qs === "") return path;
  return `${path}${path.includes("?") ? "&" : "?"}${qs}`;
}

/** Lower-cases names; a null/undefined value removes the header. */
export function mergeHeaders(...layers: (HeaderValues | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      const key = name.toLowerCase();
      if (value === null || value === undefined) delete merged[key];
      else merged[key] = value;
    }
  }
  return merged;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export class HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private client?: Promise<{ request: Undici["request"]; dispatcher: Agent }>;
  private readonly sockets = new Set<WebSocket>();

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private undici() {
    return (this.client ??= loadUndici().then(({ Agent, request }) => ({
      request,
      dispatcher: new Agent({ connectTimeout: Math.min(this.timeoutMs, 10_000) }),
    })));
  }

  async request(req: EdgeRequest): Promise<HttpResponse> {
    const method = (req.method ?? "GET").toUpperCase();
    const path = withQuery(req.path.startsWith("/") ? req.path : `/${req.path}`, req.query);
    const url = `${this.baseUrl}${path}`;
    const describe = `${method} ${path} (Host: ${req.host})`;
    let body: string | Uint8Array | undefined = req.body;
    const jsonHeaders: HeaderValues = {};
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      jsonHeaders["content-type"] = "application/json";
    }
    const headers = mergeHeaders(jsonHeaders, req.headers, { host: req.host });
    const timeout = req.timeoutMs ?? this.timeoutMs;
    const { request, dispatcher } = await this.undici();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new HttpRequestError(
        `${describe} via ${this.baseUrl} failed: ${code ? `${code} ` : ""}${errorMessage(error)}`,
      );
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (error) {
      throw new HttpRequestError(`${describe}: reading the body failed: ${errorMessage(error)}`);
    }
    const responseHeaders = flattenHeaders(res.headers);
    return {
      status: res.statusCode,
      headers: responseHeaders,
      text,
      json<T>(): T {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new HttpRequestError(
            `${describe}: expected a JSON body (HTTP ${res.statusCode}), got ${excerpt(text)}`,
          );
        }
      },
      header: (name: string) => responseHeaders[name.toLowerCase()],
      method,
      url,
      host: req.host,
      describe,
    };
  }

  /** Opens a WebSocket through the edge with the given Host; rejects with the HTTP status if not upgraded. */
  async websocket(req: WebSocketRequest): Promise<WebSocket> {
    const WebSocket = await loadWebSocket();
    const wsUrl = `${this.baseUrl.replace(/^http/, "ws")}${req.path.startsWith("/") ? req.path : `/${req.path}`}`;
    const describe = `WebSocket ${req.path} (Host: ${req.host})`;
    const timeout = req.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl, {
        headers: mergeHeaders(req.headers, { host: req.host }),
        handshakeTimeout: timeout,
      });
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      socket.once("open", () => resolve(socket));
      let rejected = false;
      socket.once("unexpected-response", (_request, response) => {
        rejected = true;
        let data = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (data.length < 4096) data += chunk;
        });
        response.on("end", () => {
          reject(
            new HttpRequestError(
              `${describe}: expected HTTP 101 (upgrade), got ${response.statusCode}; body: ${excerpt(data)}`,
            ),
          );
          socket.terminate();
        });
      });
      socket.on("error", (error) => {
        if (!rejected) reject(new HttpRequestError(`${describe} failed: ${errorMessage(error)}`));
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    const client = await this.client?.catch(() => undefined);
    await client?.dispatcher.close();
  }
}
