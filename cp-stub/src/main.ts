/**
 * cp-stub entry point (container CMD `node /app/main.js`, or `npm run cp-stub`).
 * Env: PORT (default 9090), HOST (default 0.0.0.0), CP_STUB_PUBLIC_URL (default http://cp-stub:9090).
 * Logs one line per request to stdout; SIGTERM/SIGINT close gracefully and exit 0.
 */
import { buildCpStub, DEFAULT_PUBLIC_URL } from "./app";

function fatal(message: string): never {
  process.stderr.write(`cp-stub: ${message}\n`);
  process.exit(2);
}

function readConfig(env: NodeJS.ProcessEnv): { port: number; host: string; publicUrl: string } {
  const portText = env.PORT || "9090";
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    fatal(`PORT must be a TCP port number (0-65535); got ${JSON.stringify(portText)}`);
  const publicUrl = env.CP_STUB_PUBLIC_URL || DEFAULT_PUBLIC_URL;
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl)) {
    fatal(
      `CP_STUB_PUBLIC_URL must be an http(s) URL such as ${DEFAULT_PUBLIC_URL}; got ${JSON.stringify(publicUrl)}`,
    );
  }
  return { port, host: env.HOST || "0.0.0.0", publicUrl };
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const stub = buildCpStub({ publicUrl: config.publicUrl, logger: out });
  const { port } = await stub.listen(config.port, config.host);
  out(`cp-stub listening on ${config.host}:${port} (public URL ${config.publicUrl})`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    out(`cp-stub: ${signal} received, closing`);
    void stub.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => fatal(error instanceof Error ? error.message : String(error)));
