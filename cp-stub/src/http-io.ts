/**
 * Writing responses the way Go's net/http writes them, and reading request bodies with a bound.
 * Every writer sets Content-Length, so a body is never chunked (Go sends small bodies that way too).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { encodeGoJson } from "./go-json";
import type { GoRedirect } from "./go-url";

/** Sends a complete answer with exactly these headers (plus Content-Length unless given). */
export function sendRaw(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  // 204 and 304 carry no body, so no Content-Length either (Node would keep a wrong one).
  const bodyless = status === 204 || status === 304;
  const bytes = bodyless ? Buffer.alloc(0) : typeof body === "string" ? Buffer.from(body, "utf8") : body;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (!bodyless && !res.hasHeader("content-length")) res.setHeader("Content-Length", bytes.length);
  res.writeHead(status);
  res.end(bytes); // Node drops the body itself for HEAD, like Go.
}

/** The Go stub's writeJSON helper: `Content-Type: application/json`, status, json.Encoder output. */
export function sendGoJson(res: ServerResponse, status: number, value: unknown): void {
  sendRaw(res, status, { "Content-Type": "application/json" }, encodeGoJson(value));
}

/** http.NotFound. */
export function sendGoNotFound(res: ServerResponse): void {
  sendRaw(
    res,
    404,
    { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
    "404 page not found\n",
  );
}

/** http.Redirect with a 301. */
export function sendGoRedirect(res: ServerResponse, redirect: GoRedirect): void {
  const headers: Record<string, string> = { Location: redirect.location };
  if (redirect.contentType !== null) headers["Content-Type"] = redirect.contentType;
  sendRaw(res, redirect.status, headers, redirect.body);
}

/** What Go's server writes for a request line it cannot parse (e.g. a bad %-escape), then hangs up. */
export function sendGoBadRequest(res: ServerResponse): void {
  sendRaw(res, 400, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" }, "400 Bad Request");
}

export interface ReadBody {
  /** The first `keepBytes` bytes of the body. */
  bytes: Buffer;
  /** Size of the whole body; more than `bytes.length` when the rest was discarded. */
  total: number;
}

/**
 * Reads the whole request body but keeps at most `keepBytes` of it, so memory stays bounded while
 * the connection stays usable (the rest is drained, not left unread).
 */
export async function readBody(req: IncomingMessage, keepBytes: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (kept < keepBytes) {
      const part = chunk.subarray(0, keepBytes - kept);
      chunks.push(part);
      kept += part.length;
    }
  }
  return { bytes: Buffer.concat(chunks, kept), total };
}
