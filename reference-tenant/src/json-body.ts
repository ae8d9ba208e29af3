/**
 * Lenient JSON body parsing for API routes: whatever the Content-Type (gin's ShouldBindJSON does not
 * look at it either), the body is parsed as JSON. Malformed JSON is not an error at this layer —
 * it becomes INVALID_JSON so each handler answers with its own contract body (e.g.
 * `invalid request body`, `invalid workspace payload`) instead of a framework error.
 */
import type { FastifyInstance } from "fastify";

export const INVALID_JSON: unique symbol = Symbol("invalid JSON body");

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

export function useLenientJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    done(null, parseJsonBody(body as string));
  });
}

/** Body parsing for proxy routes: nothing is read, the raw request stream is forwarded as is. */
export function usePassthroughParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
}
