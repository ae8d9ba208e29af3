/** The canvas process (bundled as dist/canvas.js): CANVAS_HOST (127.0.0.1) : CANVAS_PORT (3000). */
import { createCanvasServer } from "./canvas";

const port = Number(process.env.CANVAS_PORT ?? "3000");
// Loopback by default: only the tenant API (same container) talks to the canvas; :8080 is the way in.
const host = process.env.CANVAS_HOST ?? "127.0.0.1";

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(
    `canvas: CANVAS_PORT must be an integer between 0 and 65535 (got "${process.env.CANVAS_PORT}")\n`,
  );
  process.exit(1);
}

const server = createCanvasServer();
server.on("error", (error) => {
  process.stderr.write(`canvas: ${error.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => {
  process.stderr.write(`${JSON.stringify({ level: "info", msg: "canvas: listening", host, port })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
