/**
 * Runs a rendered edge config in the real nginx binary on loopback, and talks to it with the Host
 * header set (undici's `request` sends it; `fetch` would drop it).
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { freePort } from "../../tools/loopback/free-port";
import { makeNginxPrefix, startNginx, testNginxConfig } from "../../tools/loopback/nginx";
import type { EdgeOptions } from "../options";
import { renderNginxConf } from "../render";

function readOrNote(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return `(no ${path})`;
  }
}

export interface RunningEdge {
  readonly port: number;
  readonly config: string;
  /** nginx's stderr and access log so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Renders `options` for loopback (own port and pid file), checks it with `nginx -t`, starts nginx. */
export async function startEdge(
  options: Omit<EdgeOptions, "listen" | "pidPath" | "accessLog">,
): Promise<RunningEdge> {
  const port = await freePort();
  const prefix = makeNginxPrefix();
  const accessLog = join(prefix, "logs", "access.log");
  const config = renderNginxConf({
    ...options,
    listen: `127.0.0.1:${port}`,
    pidPath: join(prefix, "nginx.pid"),
    accessLog,
  });
  try {
    await testNginxConfig(config, prefix);
  } catch (error) {
    rmSync(prefix, { recursive: true, force: true }); // startNginx, which would remove it, never ran
    throw error;
  }
  const nginx = await startNginx(config, [port], prefix);
  return {
    port,
    config,
    log: () => [nginx.errorLog, accessLog].map(readOrNote).join("\n"),
    stop: () => nginx.stop(),
  };
}

export interface EdgeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

export interface EdgeRequest {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  path?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** One request through the edge on 127.0.0.1:`port` with `Host: host`. */
export async function edgeRequest(port: number, host: string, req: EdgeRequest = {}): Promise<EdgeResponse> {
  const res = await request(`http://127.0.0.1:${port}${req.path ?? "/"}`, {
    method: req.method ?? "GET",
    headers: { host, ...req.headers },
    body: req.body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: () => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new Error(`expected a JSON body, got ${res.statusCode}: ${text.slice(0, 500)}`);
      }
    },
  };
}

/** Resolves with `promise`, or fails with `message` after `ms` (a deadlock detector, not a speed check). */
export async function within<T>(ms: number, message: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
