/**
 * Runs a shell command the way `command.local.Command` does: `interpreter` (default /bin/sh -c) +
 * command, in `dir`, with `environment` over the process's environment, optional stdin; stdout and
 * stderr captured (one trailing newline trimmed, as the provider does) and streamed live line by
 * line under the resource's name when `logging` says so. A non-zero exit is an error carrying the
 * combined output, in the provider's words ("exit status N: running "…":").
 *
 * The command gets its own process group, so an interrupt stops the whole tree it started (SIGTERM,
 * then SIGKILL after a grace period), not just the shell.
 */
import { spawn } from "node:child_process";
import { Interrupted } from "./cancel";

export type Logging = "stdout" | "stderr" | "stdoutAndStderr" | "none";

export interface RunCommandOptions {
  command: string;
  interpreter?: string[];
  dir?: string;
  environment?: Record<string, string>;
  stdin?: string;
  logging?: Logging;
  /** One streamed output line. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
  signal?: AbortSignal;
  killGraceMs?: number;
  baseEnv?: NodeJS.ProcessEnv;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = "CommandFailed";
  }
}

const OUTPUT_CAP = 256 * 1024;

/** Splits a byte stream into lines, calling `emit` per complete line. */
function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = "";
  return {
    push(chunk) {
      const text = rest + chunk.toString("utf8");
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) emit(line);
    },
    end() {
      if (rest !== "") emit(rest);
      rest = "";
    },
  };
}

export function runCommand(o: RunCommandOptions): Promise<CommandResult> {
  const [program, ...args] = o.interpreter && o.interpreter.length > 0 ? o.interpreter : ["/bin/sh", "-c"];
  const logging = o.logging ?? "stdoutAndStderr";
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason as Error);
    const child = spawn(program, [...args, o.command], {
      cwd: o.dir || undefined,
      env: { ...(o.baseEnv ?? process.env), ...(o.environment ?? {}) },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let combined = "";
    const capture = (stream: "stdout" | "stderr", store: Buffer[]) => {
      const show = logging === "stdoutAndStderr" || logging === stream;
      const lines = lineSplitter((line) => show && o.onLine?.(stream, line));
      child[stream].on("data", (chunk: Buffer) => {
        store.push(chunk);
        if (combined.length < OUTPUT_CAP) combined += chunk.toString("utf8");
        lines.push(chunk);
      });
      child[stream].on("end", () => lines.end());
    };
    capture("stdout", out);
    capture("stderr", err);
    child.stdin.on("error", () => undefined);
    child.stdin.end(o.stdin ?? "");

    let interrupted: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      interrupted = (o.signal?.reason as Error) ?? new Interrupted("aborted");
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), o.killGraceMs ?? 5000);
    };
    o.signal?.addEventListener("abort", onAbort, { once: true });

    child.on("error", (error) => {
      o.signal?.removeEventListener("abort", onAbort);
      reject(new CommandFailed(`${error.message}: running ${JSON.stringify(o.command)}`, null));
    });
    child.on("close", (code, sig) => {
      o.signal?.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      // Whatever the shell left running in its group goes too (a command's background children).
      killGroup("SIGKILL");
      if (interrupted) return reject(interrupted);
      const stdout = Buffer.concat(out).toString("utf8").replace(/\n$/, "");
      const stderr = Buffer.concat(err).toString("utf8").replace(/\n$/, "");
      if (code === 0) return resolve({ stdout, stderr });
      const status = code === null ? `signal: ${sig}` : `exit status ${code}`;
      reject(
        new CommandFailed(`${status}: running ${JSON.stringify(o.command)}:\n${combined.trimEnd()}`, code),
      );
    });
  });
}
