/**
 * Canvas fallback (docs/anchor.md#canvas-fallback): every request no API route claims goes to the canvas
 * server in the same container. Credentials never reach it — Authorization and Cookie are stripped (#451) —
 * while everything else (Accept, X-Request-Id, …) passes. It sits behind the TenantGuard like any route.
 */
import type { FastifyInstance } from "fastify";
import type { Dispatcher } from "undici";
import { forward } from "./proxy";

export const CANVAS_UNAVAILABLE_BODY = "canvas unavailable";
export const CANVAS_STRIPPED_HEADERS: readonly string[] = ["authorization", "cookie"];

export function registerCanvasFallback(app: FastifyInstance, canvas: URL, dispatcher: Dispatcher): void {
  app.setNotFoundHandler(async (request, reply) =>
    forward(request, reply, {
      target: canvas,
      dispatcher,
      dropRequestHeaders: CANVAS_STRIPPED_HEADERS,
      unavailableBody: CANVAS_UNAVAILABLE_BODY,
    }),
  );
}

/** Without a canvas, unmatched routes answer like gin's default NoRoute. */
export function registerPlainNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).type("text/plain; charset=utf-8").send("404 page not found"),
  );
}
