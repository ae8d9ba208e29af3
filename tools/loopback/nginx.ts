import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { requireBinary } from "./binaries";
import { startProcess, waitUntil } from "./process";

const run = promisify(execFile);

/**
 * A throwaway nginx running a given nginx.conf from a temp prefix.
 * The config must set its own `pid` (use `join(prefix, "nginx.pid")` via `prefix`) so instances never share one.
 */
export interface LoopbackNginx {
  readonly prefix: string;
  readonly errorLog: string;
  stop(): Promise<void>;
}

/** A temp dir nginx can use as `-p` prefix; world-writable because workers run as `nobody` under root. */
export function makeNginxPrefix(): string {
  const prefix = mkdtempSync(join(tmpdir(), "harness-nginx-"));
  mkdirSync(join(prefix, "logs"));
  chmodSync(prefix, 0o777);
  chmodSync(join(prefix, "logs"), 0o777);
  return prefix;
}

/**
 * Runs `nginx -t` on a config; resolves on success, rejects with nginx's own message otherwise.
 * Without a `prefix`, it uses a throwaway one and removes it afterwards.
 */
export async function testNginxConfig(config: string, prefix?: string): Promise<void> {
  const nginx = requireBinary("nginx", "nginx-light");
  const dir = prefix ?? makeNginxPrefix();
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, config);
  try {
    await run(nginx, ["-t", "-q", "-p", dir, "-c", confPath]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`nginx -t rejected the config:\n${stderr || (error as Error).message}`);
  } finally {
    if (prefix === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Starts nginx in the foreground on `config`, waits until every port in `listenPorts` accepts connections. */
export async function startNginx(
  config: string,
  listenPorts: number[],
  prefix = makeNginxPrefix(),
): Promise<LoopbackNginx> {
  const nginx = requireBinary("nginx", "nginx-light");
  const confPath = join(prefix, "nginx.conf");
  writeFileSync(confPath, config);
  const errorLog = join(prefix, "logs", "stderr.log");
  const proc = startProcess(nginx, ["-p", prefix, "-c", confPath, "-g", "daemon off;"], errorLog);
  const stop = async () => {
    await proc.stop();
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    for (const port of listenPorts) {
      // A failure quotes nginx's stderr (its emerg messages go there before error_log is open).
      await waitUntil(`nginx on 127.0.0.1:${port}`, () => tcpOpen(port), { process: proc });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { prefix, errorLog, stop };
}
