/**
 * Runs the Pulumi CLI for `npm run harness`: progress streamed to the user (the CLI's own display on
 * a terminal; plain lines, also kept for the failure report, elsewhere), output captured when asked.
 * A signal the harness receives is forwarded to the running CLI, which cancels gracefully.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface PulumiResult {
  code: number | null;
  stdout: string;
  /** The last lines of what it printed (for reports). */
  tail: string[];
}

export interface PulumiRunner {
  run(args: string[], options?: { capture?: boolean }): Promise<PulumiResult>;
  /** Forwards a signal to the CLI currently running (if any). */
  forward(signal: NodeJS.Signals): boolean;
}

export function pulumiRunner(opts: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  tty: boolean;
  write: (text: string) => void;
  binary?: string;
}): PulumiRunner {
  let current: ChildProcess | undefined;
  return {
    forward(signal) {
      if (!current || current.exitCode !== null) return false;
      current.kill(signal);
      return true;
    },
    run(args, options = {}) {
      return new Promise((resolve) => {
        const inherit = opts.tty && !options.capture;
        const child = spawn(opts.binary ?? "pulumi", args, {
          cwd: opts.cwd,
          env: opts.env,
          stdio: inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
          // Its own session: a terminal's Ctrl-C reaches the harness only, which forwards it ONCE
          // (Pulumi reads a second SIGINT as "cancel immediately", which can strand operations).
          detached: true,
        });
        current = child;
        let stdout = "";
        const tail: string[] = [];
        const keep = (text: string) => {
          tail.push(...text.split("\n").filter((l) => l.trim() !== ""));
          tail.splice(0, Math.max(0, tail.length - 60));
        };
        child.stdout?.on("data", (chunk: Buffer) => {
          const text = chunk.toString("utf8");
          if (options.capture) stdout += text;
          else opts.write(text);
          keep(text);
        });
        child.stderr?.on("data", (chunk: Buffer) => {
          const text = chunk.toString("utf8");
          opts.write(text);
          keep(text);
        });
        child.on("error", (error) => {
          keep(error.message);
          resolve({ code: 127, stdout, tail });
        });
        child.on("close", (code) => {
          if (current === child) current = undefined;
          resolve({ code, stdout, tail });
        });
      });
    },
  };
}
