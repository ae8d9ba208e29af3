/**
 * Runs the tenant API and the canvas as two child processes, like the anchor's entrypoint-tenant.sh
 * (`wait -n`): whichever child exits first ends the container with its exit code (128+signal when
 * killed), after the other child is stopped. SIGTERM/SIGINT are forwarded to both children.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";

export interface SupervisorOptions {
  apiFile: string;
  canvasFile: string;
  env: NodeJS.ProcessEnv;
  /** The node binary and its flags (under tsx these carry the TypeScript loader). */
  execPath: string;
  execArgv: readonly string[];
  log: (fields: Record<string, unknown>) => void;
  /** How long the surviving child gets after SIGTERM before SIGKILL. */
  graceMs?: number;
}

export interface Supervised {
  api: ChildProcess;
  canvas: ChildProcess;
  /** Resolves with the exit code the entrypoint should exit with. */
  done: Promise<number>;
  /** Forwards a signal to both children (the first child to exit still decides the code). */
  signal(signal: NodeJS.Signals): void;
}

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return number ? 128 + number : 1;
}

/** CANVAS_PROXY_URL default: 127.0.0.1, not localhost (Node 20 may resolve localhost to ::1). */
export function childEnvironments(env: NodeJS.ProcessEnv): {
  api: NodeJS.ProcessEnv;
  canvas: NodeJS.ProcessEnv;
} {
  const canvasPort = env.CANVAS_PORT?.trim() || "3000";
  return {
    api: { ...env, CANVAS_PROXY_URL: env.CANVAS_PROXY_URL ?? `http://127.0.0.1:${canvasPort}` },
    canvas: { ...env, CANVAS_PORT: canvasPort },
  };
}

export function supervise(options: SupervisorOptions): Supervised {
  const envs = childEnvironments(options.env);
  const start = (file: string, env: NodeJS.ProcessEnv) =>
    spawn(options.execPath, [...options.execArgv, file], { env, stdio: "inherit" });
  const api = start(options.apiFile, envs.api);
  const canvas = start(options.canvasFile, envs.canvas);
  options.log({ msg: "entrypoint: started", api_pid: api.pid, canvas_pid: canvas.pid });

  const exited = (child: ChildProcess, name: string) =>
    new Promise<{ name: string; code: number }>((resolve) => {
      child.on("error", (error) => {
        options.log({ msg: `entrypoint: ${name} failed to start`, error: error.message });
        resolve({ name, code: 1 });
      });
      child.on("exit", (code, signal) => resolve({ name, code: exitCodeOf(code, signal) }));
    });
  const apiExit = exited(api, "api");
  const canvasExit = exited(canvas, "canvas");

  const done = Promise.race([apiExit, canvasExit]).then(async (first) => {
    options.log({ msg: `entrypoint: ${first.name} exited first`, code: first.code });
    const other = first.name === "api" ? canvas : api;
    if (other.exitCode === null && other.signalCode === null) {
      other.kill("SIGTERM");
      const timer = setTimeout(() => other.kill("SIGKILL"), options.graceMs ?? 10_000);
      await (first.name === "api" ? canvasExit : apiExit);
      clearTimeout(timer);
    }
    return first.code;
  });

  return {
    api,
    canvas,
    done,
    signal(signal) {
      for (const child of [api, canvas])
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
