/**
 * CORS for the configured origins (CORS_ORIGINS; default the local canvas dev servers), first in the
 * chain as in the anchor's gin setup. Preflights from an allowed origin end here with 204, before the
 * guard, because browsers never attach custom headers to a preflight. Requests from other origins get
 * no CORS headers (the browser enforces the rest); they are not rejected here.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "Origin, Content-Type, X-Workspace-ID, Authorization";

export function corsHook(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const origin = request.headers.origin;
    if (typeof origin !== "string" || !allowed.has(origin)) return undefined;
    reply.header("Access-Control-Allow-Origin", origin);
    reply.header("Access-Control-Allow-Credentials", "true");
    reply.header("Vary", "Origin");
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
      reply.header("Access-Control-Allow-Methods", ALLOW_METHODS);
      reply.header("Access-Control-Allow-Headers", ALLOW_HEADERS);
      reply.header("Access-Control-Max-Age", "43200");
      return reply.code(204).send();
    }
    return undefined;
  };
}
