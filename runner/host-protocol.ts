/**
 * The messages between the runner, the replay host process (replay-host.ts) and the worker threads it
 * runs replays in (replay-worker.ts). Types only.
 *
 *   runner ──IPC──▶ host: job / kill / warm / shutdown      host ──IPC──▶ runner: child / done
 *   host ──postMessage──▶ worker: one WorkerJob             worker ──postMessage──▶ host: verdict / child
 */
import type { OutputDigest } from "./output-scanner";

/** A TypeScript replay compiled by esbuild (compile.ts), or why it could not be compiled. */
export interface CompiledReplay {
  /** Absolute path of the source; the compiled module is evaluated under this name. */
  file: string;
  code?: string;
  /** The compile error (the replay FAILs with it). */
  error?: string;
}

/** What one worker thread does before it exits: run one replay, or read the declarations of some. */
export type WorkerJob =
  { kind: "run"; name: string; replay: CompiledReplay } | { kind: "describe"; replays: CompiledReplay[] };

/**
 * The last thing a worker writes on its stdout, right before it exits with `code`: everything it
 * wrote before has reached the host, which can answer `done` without waiting for the thread to be
 * torn down. Never part of the replay's output.
 */
export function endOfOutput(code: number): string {
  return `\u0000harness-replay-exit:${code}\u0000`;
}
// eslint-disable-next-line no-control-regex -- the NULs make it unlike anything a replay prints
export const END_OF_OUTPUT = /\u0000harness-replay-exit:(\d+)\u0000$/;

export type FromWorker =
  /** The verdict line is being printed; the worker exits right after. */
  | { type: "verdict" }
  /** The replay started a child process; it leads its own process group (killed when the replay ends). */
  | { type: "child"; pid: number };

export interface HostJob {
  type: "job";
  id: number;
  job: WorkerJob;
  /** Combined stdout+stderr of the worker. */
  outputFile: string;
  maxOutputBytes: number;
  tailBytes: number;
  /** Workers to keep started and waiting after this one (prewarm). */
  warm: number;
}

export type ToHost =
  | HostJob
  /** Stop that job's worker now (timeout, interrupt). */
  | { type: "kill"; id: number }
  | { type: "warm"; count: number }
  | { type: "shutdown" };

export interface HostDone {
  type: "done";
  id: number;
  exitCode: number;
  digest: OutputDigest;
  outputBytes: number;
  outputTruncated: boolean;
}

export type FromHost = HostDone | { type: "child"; id: number; pid: number };
