import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "./binaries";
import { onFreePort } from "./free-port";
import { startProcess, waitUntil } from "./process";

/** A throwaway Redis on 127.0.0.1 with persistence off. */
export interface LoopbackRedis {
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(1000, () => socket.destroy(new Error("PING timed out")));
    socket.on("error", reject);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      socket.end();
      resolve(data.toString().startsWith("+PONG"));
    });
  });
}

export async function startRedis(options: { port?: number } = {}): Promise<LoopbackRedis> {
  const binary = requireBinary("redis-server", "redis-server");
  return onFreePort(options.port, async (port) => {
    const dir = mkdtempSync(join(tmpdir(), "harness-redis-"));
    const logFile = join(dir, "redis.log");
    const proc = startProcess(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      logFile,
    );
    const stop = async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitUntil(`redis on 127.0.0.1:${port}`, () => ping(port), { process: proc });
    } catch (error) {
      await stop();
      throw error;
    }
    return { url: `redis://127.0.0.1:${port}`, port, logFile, stop };
  });
}
