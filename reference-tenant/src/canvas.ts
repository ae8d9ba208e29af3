/**
 * Stand-in for the Next.js canvas the real tenant image runs on :3000. Any path answers a small HTML
 * page (so `/does-not-exist` through the tenant is 200, as in production), except
 *   ANY /__canvas/request → 200 {"method","url","headers"}: exactly what this server received, header
 * names lower-cased (repeated headers joined with ", "). Replays use it to prove the tenant stripped
 * Authorization and Cookie and to see the header shape that reached the canvas.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export const CANVAS_ECHO_PATH = "/__canvas/request";

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Molecule canvas (harness)</title></head>
<body><main id="canvas"><h1>Molecule canvas</h1><p>Reference tenant stand-in for the Next.js canvas.</p></main></body>
</html>
`;

/** Header names lower-cased; repeats joined with ", " in arrival order (rawHeaders keeps them all). */
export function receivedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return headers;
}

export function createCanvasServer(): Server {
  return createServer((request, response) => {
    const path = (request.url ?? "/").split("?", 1)[0];
    request.resume(); // bodies are not used; drain them so keep-alive works
    if (path === CANVAS_ECHO_PATH) {
      const body = JSON.stringify({
        method: request.method,
        url: request.url,
        headers: receivedHeaders(request),
      });
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(request.method === "HEAD" ? undefined : body);
      return;
    }
    response.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(PAGE),
    });
    response.end(request.method === "HEAD" ? undefined : PAGE);
  });
}
