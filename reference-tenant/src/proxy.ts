/**
 * A streaming reverse proxy step shared by the /cp/* proxy and the canvas fallback, shaped like Go's
 * httputil.ReverseProxy with a Director: path and query are forwarded untouched, Host is rewritten to
 * the upstream, hop-by-hop headers are dropped, X-Forwarded-For gains the client IP, bodies stream
 * both ways (no buffering: SSE and long agent runs keep flowing), and any upstream failure becomes a
 * 502 with a fixed plain-text body.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { IncomingHttpHeaders } from "node:http";
import { request as undiciRequest, type Dispatcher } from "undici";

// RFC 9110 §7.6.1 connection-specific headers, plus ones undici refuses to forward itself.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

export interface ForwardOptions {
  /** Upstream origin; the request's own path and query are appended as they are. */
  target: URL;
  dispatcher: Dispatcher;
  /** Lower-case request header names never forwarded (the canvas drops credentials). */
  dropRequestHeaders?: readonly string[];
  /** Body of the 502 sent when the upstream cannot be reached. */
  unavailableBody: string;
}

function connectionTokens(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(",") : (value ?? "");
  return joined
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== "");
}

export function outgoingHeaders(
  incoming: IncomingHttpHeaders,
  options: { targetHost: string; clientIp: string; drop?: readonly string[] },
): Record<string, string | string[]> {
  const drop = new Set([...HOP_BY_HOP, ...connectionTokens(incoming.connection), ...(options.drop ?? [])]);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || drop.has(name) || name === "host") continue;
    out[name] = value;
  }
  out.host = options.targetHost;
  const prior = incoming["x-forwarded-for"];
  const priorList = Array.isArray(prior) ? prior.join(", ") : prior;
  out["x-forwarded-for"] = priorList ? `${priorList}, ${options.clientIp}` : options.clientIp;
  return out;
}

export function responseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const drop = new Set([...HOP_BY_HOP, ...connectionTokens(upstream.connection)]);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || drop.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function hasBody(request: FastifyRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD") return false;
  const length = request.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return request.headers["transfer-encoding"] !== undefined;
}

export async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  options: ForwardOptions,
): Promise<FastifyReply> {
  // Concatenate, never resolve: a request target like `//other.host/x` must stay a path on the upstream.
  const rawUrl = request.raw.url ?? "/";
  const url = `${options.target.origin}${rawUrl.startsWith("/") ? rawUrl : `/${rawUrl}`}`;
  // Abort the upstream call when the client goes away (a streaming response would run on otherwise).
  const abort = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.on("close", onClose);
  try {
    const upstream = await undiciRequest(url, {
      method: request.method as Dispatcher.HttpMethod,
      headers: outgoingHeaders(request.headers, {
        targetHost: options.target.host,
        clientIp: request.ip,
        drop: options.dropRequestHeaders,
      }),
      body: hasBody(request) ? request.raw : undefined,
      dispatcher: options.dispatcher,
      signal: abort.signal,
    });
    reply.code(upstream.statusCode);
    reply.headers(responseHeaders(upstream.headers));
    return reply.send(upstream.body);
  } catch (error) {
    reply.raw.off("close", onClose);
    if (abort.signal.aborted) return reply; // client left; nothing to answer
    request.log.warn({ err: error, upstream: options.target.origin }, "proxy: upstream unavailable");
    if (reply.sent) return reply;
    return reply.code(502).type("text/plain; charset=utf-8").send(options.unavailableBody);
  }
}
