/**
 * GET /ws: the event stream the canvas subscribes to (open route, behind the guard). On connect it
 * pushes a CONNECTED event, then every bus event as JSON; any frame the client sends is echoed back
 * unchanged, so an edge's upgrade path can be proven with one round trip.
 */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./deps";

export function registerWebSocketRoute(
  app: FastifyInstance,
  deps: Pick<RouteDeps, "events" | "metrics">,
): void {
  app.route({
    method: "GET",
    url: "/ws",
    handler: async (_request, reply) => reply.code(400).send({ error: "websocket upgrade required" }),
    wsHandler: (socket) => {
      deps.metrics.websocketConnections.inc();
      const send = (message: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      send({ event: "CONNECTED", workspace_id: null, timestamp: new Date().toISOString(), payload: {} });
      const unsubscribe = deps.events.subscribe(send);
      socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
      socket.on("close", () => {
        unsubscribe();
        deps.metrics.websocketConnections.dec();
      });
    },
  });
}
