/**
 * Runs one replay process in its own process group, streams its combined output to a file (capped)
 * and through an OutputScanner (bounded memory), and enforces the timeout on the whole tree:
 * SIGTERM to the group, SIGKILL after a grace period. Never throws for anything the replay does.
 */
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { errorMessage } from "./errors";
import type { OutputDigest } from "./output-scanner";
import { OutputSink } from "./output-sink";

export interface ExecuteOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Combined stdout+stderr of the replay, in arrival order. */
  outputFile: string;
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** The output file stops growing here (the scanner still reads everything). */
  maxOutputBytes: number;
  tailBytes: number;
  /** Aborting (runner interrupted) kills the replay's process group. */
  signal?: AbortSignal;
  /** Called with the process group id once the process started (tests use it). */
  onStart?: (pid: number) => void;
}

export interface Execution {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  interrupted: boolean;
  spawnError: string | null;
  digest: OutputDigest;
  durationMs: number;
  /** Bytes written to the output file. */
  outputBytes: number;
  outputTruncated: boolean;
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function execute(options: ExecuteOptions): Promise<Execution> {
  const started = Date.now();
  const sink = new OutputSink(options);
  let timedOut = false;
  let interrupted = false;
  let spawnError: string | null = null;

  // detached: the replay leads a new process group, so a timeout can kill its whole tree.
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pgid = child.pid;
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
  for (const s of streams) sink.attach(s);

  let graceTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    if (pgid === undefined) return;
    killGroup(pgid, "SIGTERM");
    graceTimer ??= setTimeout(() => killGroup(pgid, "SIGKILL"), options.killGraceMs);
  };
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, options.timeoutMs);
  const onAbort = () => {
    interrupted = true;
    terminate();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("error", (error) => {
      spawnError = errorMessage(error);
      resolve({ code: null, signal: null });
    });
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  if (pgid !== undefined) options.onStart?.(pgid);

  const result = await exited;
  clearTimeout(timeoutTimer);
  options.signal?.removeEventListener("abort", onAbort);

  // Leftover background processes of the replay (`cmd &`) would keep the pipes open: end the group.
  if (pgid !== undefined && spawnError === null) {
    if (killGroup(pgid, "SIGTERM")) {
      graceTimer ??= setTimeout(() => killGroup(pgid, "SIGKILL"), options.killGraceMs);
    }
  }
  let closeTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(
      streams.map(
        (s) => new Promise<void>((r) => (s.readableEnded || s.destroyed ? r() : s.once("close", r))),
      ),
    ),
    new Promise<void>((r) => (closeTimer = setTimeout(r, options.killGraceMs + 1000))),
  ]);
  clearTimeout(closeTimer);
  for (const s of streams) s.destroy();
  if (graceTimer) clearTimeout(graceTimer);
  // Whatever of the group survived SIGTERM (e.g. it ignores TERM) goes now: the replay is over.
  if (pgid !== undefined && spawnError === null) killGroup(pgid, "SIGKILL");
  if (spawnError !== null) sink.note(`[runner] could not start ${options.command}: ${spawnError}\n`);
  const totals = await sink.finish();

  return {
    exitCode: result.code,
    signal: result.signal,
    timedOut,
    interrupted,
    spawnError,
    ...totals,
    durationMs: Date.now() - started,
  };
}
