/**
 * Helpers for the e2e cases: run the driver (e2e/cli.ts) as a child process the way a user or CI
 * does, watch its progress, and look at the Docker engine afterwards. Every case uses its own
 * stack name, so cases never see each other's objects (or a colleague's).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import type { RunReport } from "../../e2e/run-stack";
import { describeLabelled, findLabelled, sweep } from "../../e2e/sweeper";
import { memoryLog } from "../../e2e/log";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const PROJECT = "harness";

export const docker = new Docker();

/** A fresh stack name: valid for Docker names and image repositories, unique per run. */
export function uniqueStack(kind: string): string {
  return `e2e-${kind}-${randomBytes(3).toString("hex")}`;
}

export function stackLabel(stack: string): string {
  return `${PROJECT}/${stack}`;
}

export interface DriverResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  report?: RunReport;
  outputs?: Record<string, unknown>;
  outputsMode?: number;
  seconds: number;
}

export interface DriverRun {
  child: ChildProcess;
  /** Resolves when a line matching `pattern` appeared on the driver's stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<DriverResult>;
}

/**
 * Starts `e2e/cli.ts <args>` with --report/--outputs into a temp dir; its stderr is echoed (prefixed
 * with the stack) so the CI log shows the real boot.
 */
export function startDriver(stack: string, args: string[] = [], command = "run"): DriverRun {
  const dir = mkdtempSync(join(tmpdir(), `${stack}-`));
  const reportPath = join(dir, "report.json");
  const outputsPath = join(dir, "outputs.json");
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "e2e/cli.ts",
      command,
      "--stack",
      stack,
      "--report",
      reportPath,
      "--outputs",
      outputsPath,
      ...args,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "pipe"], env: { ...process.env, KEEP_UP: "" } },
  );
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    stderr += text;
    partial += text;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) process.stderr.write(`[${stack}] ${line}\n`);
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<DriverResult>((resolveDone) => {
    child.on("close", (code, signal) => {
      const result: DriverResult = {
        code,
        signal,
        stderr,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      try {
        result.report = JSON.parse(readFileSync(reportPath, "utf8")) as RunReport;
      } catch {
        // no report: the test says so
      }
      try {
        result.outputs = JSON.parse(readFileSync(outputsPath, "utf8")) as Record<string, unknown>;
        result.outputsMode = statSync(outputsPath).mode & 0o777;
      } catch {
        // no outputs (the up failed or was interrupted)
      }
      rmSync(dir, { recursive: true, force: true });
      resolveDone(result);
    });
  });
  return {
    child,
    done,
    waitFor: (pattern, timeoutMs = 600_000) =>
      new Promise<void>((resolveWait, reject) => {
        if (pattern.test(stderr)) return resolveWait();
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} on the driver's stderr within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolveWait();
          },
        });
        void done.then(() => {
          clearTimeout(timer);
          reject(new Error(`the driver exited before printing ${pattern}`));
        });
      }),
  };
}

/** Everything still labelled for the stack (containers incl. stopped, networks, volumes, images). */
export async function labelledLeft(stack: string): Promise<string[]> {
  return describeLabelled(await findLabelled(docker, stackLabel(stack)));
}

/** After a case: remove whatever it left (so a failing case does not pollute the engine) and report it. */
export async function cleanUp(stack: string): Promise<string[]> {
  const left = await labelledLeft(stack);
  if (left.length > 0) await sweep(docker, stackLabel(stack), memoryLog());
  rmSync(join(REPO_ROOT, ".harness", "e2e", `${stack}.state.json`), { force: true });
  return left;
}

/** Processes (this user's) whose environment names the stack: a Command's tree that outlived the run. */
export function processesOfStack(stack: string): number[] {
  const needle = `"stack":"${stack}"`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** One line per phase, for the test's diagnostics (CI log). */
export function phaseLine(result: DriverResult): string {
  const p = result.report?.phases ?? {};
  const s = (ms?: number) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)}s`);
  return `wall ${result.seconds}s; boot-to-healthy ${s(p.bootToHealthyMs)}, seed ${s(p.seedMs)}, replays ${s(p.replaysMs)}, up ${s(p.upMs)}, destroy ${s(p.destroyMs)}`;
}
