/**
 * The canvas process (bundled as dist/canvas.js), on CANVAS_PORT (3000). Only the tenant API in the
 * same container talks to it, so by default it listens on loopback only — on both 127.0.0.1 and ::1,
 * because `CANVAS_PROXY_URL=http://localhost:3000` may resolve to either. CANVAS_HOST picks one address.
 */
import type { Server } from "node:http";
import { createCanvasServer } from "./canvas";

const port = Number(process.env.CANVAS_PORT ?? "3000");
const explicitHost = process.env.CANVAS_HOST?.trim();

const log = (fields: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ level: "info", ...fields })}\n`);

function fail(message: string): never {
  process.stderr.write(`canvas: ${message}\n`);
  process.exit(1);
}

function listen(host: string): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createCanvasServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      // No IPv6 in this container: IPv4 loopback alone will do (unless it was asked for explicitly).
      if (!explicitHost && host === "::1" && ["EADDRNOTAVAIL", "EAFNOSUPPORT"].includes(error.code ?? "")) {
        resolve(null);
        return;
      }
      fail(`cannot listen on ${host}:${port}: ${error.message}`);
    });
    server.listen(port, host, () => resolve(server));
  });
}

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`CANVAS_PORT must be an integer between 1 and 65535 (got "${process.env.CANVAS_PORT}")`);
  }
  const hosts = explicitHost ? [explicitHost] : ["127.0.0.1", "::1"];
  const servers: Server[] = [];
  const listening: string[] = [];
  for (const host of hosts) {
    const server = await listen(host);
    if (server) {
      servers.push(server);
      listening.push(host);
    }
  }
  log({ msg: "canvas: listening", port, hosts: listening });
  const stop = () => {
    let open = servers.length;
    for (const server of servers) {
      server.close(() => {
        open -= 1;
        if (open === 0) process.exit(0);
      });
      server.closeAllConnections();
    }
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
