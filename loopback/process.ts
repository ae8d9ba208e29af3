import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream } from "node:fs";

/** A long-running child process (a throwaway server) whose output goes to a log file. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The stop signal, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
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
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  live.set(child, stopSignal);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", (error) => {
      log.write(`spawn failed: ${error.message}\n`);
      resolve(null);
    });
    child.on("exit", (code) => resolve(code));
  }).finally(() => {
    live.delete(child);
    log.end();
  });

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
  };
}

/** Polls `probe` until it resolves true, or fails with `what` and the last error after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  {
    timeoutMs = 20_000,
    intervalMs = 100,
    exited,
  }: { timeoutMs?: number; intervalMs?: number; exited?: Promise<unknown> } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let processGone = false;
  void exited?.then(() => (processGone = true));
  while (Date.now() < deadline) {
    if (processGone) throw new Error(`${what}: the process exited before it became ready`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
  throw new Error(`${what}: not ready after ${timeoutMs} ms${detail}`);
}
