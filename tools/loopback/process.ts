import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";

/** A long-running child process (a throwaway server) whose output goes to a log file. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The stop signal, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** The end of the process's log, once its output has been written (for error messages). */
  logTail(maxBytes?: number): Promise<string>;
}

/** A server died while we waited for it; `logTail` says why (e.g. "Address already in use"). */
export class ExitedBeforeReadyError extends Error {
  constructor(
    what: string,
    readonly exitCode: number | null,
    readonly logTail: string,
  ) {
    super(`${what}: the process exited (code ${exitCode}) before it became ready${describeLog(logTail)}`);
    this.name = "ExitedBeforeReadyError";
  }

  /** The port was taken between picking it and the server binding it: worth a retry on another. */
  get portInUse(): boolean {
    return /address already in use/i.test(this.logTail);
  }
}

function describeLog(tail: string): string {
  const trimmed = tail.trim();
  if (trimmed === "") return "; it logged nothing";
  return `; its log ends with:\n${trimmed.replace(/^/gm, "    ")}`;
}

const live = new Map<ChildProcess, NodeJS.Signals>();

// A test or script that dies must not leave servers behind. The server's own shutdown signal, not
// SIGKILL: a SIGKILLed nginx master orphans its workers, whereas SIGTERM/SIGINT make it take them down.
process.on("exit", () => {
  for (const [child, signal] of live) child.kill(signal);
});

export interface StartOptions extends SpawnOptions {
  /** The signal that makes this server shut down cleanly and quickly (postgres: SIGINT). */
  stopSignal?: NodeJS.Signals;
}

export function startProcess(
  command: string,
  args: readonly string[],
  logFile: string,
  { stopSignal = "SIGTERM", ...options }: StartOptions = {},
): ManagedProcess {
  const log = createWriteStream(logFile, { flags: "a" });
  log.on("error", () => undefined); // a log we cannot write must not take the caller down
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  live.set(child, stopSignal);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  // 'close' follows 'exit' once stdout/stderr are drained; ending the log then loses no last words.
  const logWritten = new Promise<void>((resolve) => {
    log.on("close", () => resolve());
    child.on("close", () => log.end());
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", (error) => {
      if (!log.writableEnded) log.write(`spawn failed: ${error.message}\n`);
      log.end();
      resolve(null);
    });
    child.on("exit", (code) => resolve(code));
  }).finally(() => live.delete(child));

  return {
    child,
    logFile,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async logTail(maxBytes = 2000) {
      // A grandchild may hold the output open; a bounded wait is enough for the server's last words.
      await Promise.race([logWritten, new Promise((r) => setTimeout(r, 1000))]);
      return readTail(logFile, maxBytes);
    },
  };
}

async function readTail(path: string, maxBytes: number): Promise<string> {
  try {
    const file = await open(path, "r");
    try {
      const { size } = await file.stat();
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      return buffer.toString("utf8");
    } finally {
      await file.close();
    }
  } catch {
    return "";
  }
}

/** What `waitUntil` watches: a ManagedProcess, or any child's exit (without a log to quote). */
export interface WatchedProcess {
  readonly exited: Promise<number | null>;
  logTail?(): Promise<string>;
}

/**
 * Polls `probe` until it resolves true, or fails with `what` and the last error after `timeoutMs`.
 * With `process`, stops early (ExitedBeforeReadyError) when that process dies, quoting its log.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  {
    timeoutMs = 20_000,
    intervalMs = 100,
    process: proc,
  }: { timeoutMs?: number; intervalMs?: number; process?: WatchedProcess } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let exitCode: number | null | undefined;
  const gone = proc?.exited.then((code) => {
    exitCode = code;
    return false;
  });
  while (Date.now() < deadline) {
    if (proc && exitCode !== undefined)
      throw new ExitedBeforeReadyError(what, exitCode, (await proc.logTail?.()) ?? "");
    // A probe may hang (something else accepts on the port and never answers): the process's exit
    // and the deadline both end the wait for it.
    const timer = delay(deadline - Date.now());
    try {
      const ready = await Promise.race([probe(), timer.promise, ...(gone ? [gone] : [])]);
      if (ready) return;
    } catch (error) {
      lastError = error;
    } finally {
      timer.cancel();
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
  const log = proc?.logTail ? describeLog(await proc.logTail()) : "";
  throw new Error(`${what}: not ready after ${timeoutMs} ms${detail}${log}`);
}

function delay(ms: number): { promise: Promise<false>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}
