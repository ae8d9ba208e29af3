/**
 * One of the harness's own Node services (cp-stub, a reference tenant) as a real process on loopback:
 * its TypeScript entry point under tsx, the environment it would get in its container and nothing
 * inherited from the caller's shell except what Node needs to run, output to a log file. Ready when
 * a probe URL answers 200.
 */
import { pathToFileURL } from "node:url";
import { request } from "undici";
import { startProcess, waitUntil, type ManagedProcess } from "./process";

export interface NodeServiceOptions {
  /** For messages, e.g. "tenant alpha". */
  name: string;
  /** Absolute path of the TypeScript entry point. */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  /** GET this until it answers 200. */
  readyUrl: string;
  readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs?: number;
}

export interface NodeService {
  readonly process: ManagedProcess;
  readonly logFile: string;
  stop(): Promise<void>;
}

// Only what Node and tsx need from the host: a container starts with its own env, and a developer's
// shell (MOLECULE_*, DATABASE_URL, CI, …) must not leak into a service.
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "TZ", "NODE_EXTRA_CA_CERTS"];

async function answers200(url: string): Promise<boolean> {
  const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
  await res.body.dump();
  return res.statusCode === 200;
}

export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, options.env);
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  const proc = startProcess(process.execPath, ["--import", tsx, options.entry], options.logFile, {
    env,
    cwd: process.cwd(),
  });
  const stop = () => proc.stop(options.stopGraceMs ?? 12_000);
  try {
    await waitUntil(`${options.name} (${options.readyUrl})`, () => answers200(options.readyUrl), {
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      intervalMs: 200,
      process: proc,
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; see ${options.logFile}`);
  }
  return { process: proc, logFile: options.logFile, stop };
}
