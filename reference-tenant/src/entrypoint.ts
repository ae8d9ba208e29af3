/**
 * Container entrypoint (bundled as dist/entrypoint.js; `npm run tenant` runs it from source): starts
 * the API and the canvas and exits with the code of whichever dies first.
 * The children are the sibling files with this file's own extension, so the same code runs as .ts
 * under tsx (its loader travels in process.execArgv) and as the bundle's .js.
 */
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import { supervise } from "./supervisor";

const fromSource = extname(__filename) === ".ts";
const apiFile = join(__dirname, fromSource ? "main.ts" : "main.js");
const canvasFile = join(__dirname, fromSource ? "canvas-main.ts" : "canvas.js");
for (const file of [apiFile, canvasFile]) {
  if (!existsSync(file)) {
    process.stderr.write(`entrypoint: ${file} is missing\n`);
    process.exit(1);
  }
}

const log = (fields: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ level: "info", ...fields })}\n`);

const supervised = supervise({
  apiFile,
  canvasFile,
  env: process.env,
  execPath: process.execPath,
  execArgv: process.execArgv,
  log,
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    log({ msg: "entrypoint: forwarding signal", signal });
    supervised.signal(signal);
  });
}
void supervised.done.then((code) => process.exit(code));
