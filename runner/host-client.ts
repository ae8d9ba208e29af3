/**
 * The runner's side of the replay host (replay-host.ts): starts it on first use (plain `node` on the
 * bundle, its own process group), hands it jobs, and keeps every isolation guarantee a process per
 * replay gave, from outside the host:
 *   - the timeout: `kill` terminates the replay's worker (sync loops included), its child processes
 *     get SIGTERM, SIGKILL after the grace period; a worker that still does not stop (blocked in
 *     native code: a sync child process, a blocking read) takes the whole host down with SIGKILL to its
 *     process group — the other replays running in it then FAIL saying so, and the next job starts a
 *     new host;
 *   - child processes a replay started lead their own process groups (replay-worker.ts); what is
 *     left of them when the replay ends is killed, as the rest of a bash replay's group is;
 *   - a host that dies (a replay called process.kill(process.pid), ran it out of memory…) fails the
 *     replays it was running with a line that says so, never the run.
 * `execute` resolves to the same Execution as execute.ts, so classification is shared.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { errorMessage } from "./errors";
import { killGroup, type Execution } from "./execute";
import type { FromHost, HostDone, ToHost, WorkerJob } from "./host-protocol";
import { OutputScanner } from "./output-scanner";

export interface HostCommand {
  command: string;
  args: readonly string[];
}

export interface ReplayHostOptions {
  /** How to start the host, e.g. `node --enable-source-maps runner/dist/replay-host.js`. */
  host: HostCommand;
  /** Working directory and environment of the host, hence of every replay it runs. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Between SIGTERM and SIGKILL of a stopped replay's child processes. */
  killGraceMs: number;
  /** What the host process itself prints (e.g. a replay's child process writing to inherited stdio). */
  log?: (line: string) => void;
}

export interface HostExecuteOptions {
  job: WorkerJob;
  outputFile: string;
  timeoutMs: number;
  maxOutputBytes: number;
  tailBytes: number;
  /** Aborting (runner interrupted) stops the replay. */
  signal?: AbortSignal;
  /** Workers the host keeps started and waiting after this job takes one. */
  warm?: number;
}

type Settled =
  { type: "done"; done: HostDone } | { type: "died"; how: string } | { type: "spawn-error"; error: string };

interface Pending {
  id: number;
  groups: Set<number>;
  stopping: boolean;
  settle: (result: Settled) => void;
}

const LAST_LINES = 20;

export class ReplayHost {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Child process groups replays started that may still be alive (killed for good on close). */
  private readonly groups = new Set<number>();
  private killReason: string | undefined;
  private lastLines: string[] = [];

  constructor(private readonly options: ReplayHostOptions) {}

  /** Runs one job in a fresh worker of the host; never throws for anything the replay does. */
  async execute(options: HostExecuteOptions): Promise<Execution> {
    const started = Date.now();
    const id = this.nextId++;
    let settle!: (result: Settled) => void;
    const settled = new Promise<Settled>((resolve) => (settle = resolve));
    const job: Pending = { id, groups: new Set(), stopping: false, settle };
    this.pending.set(id, job);
    let timedOut = false;
    let interrupted = false;

    const child = this.ensureStarted();
    if (child) {
      this.send(child, {
        type: "job",
        id,
        job: options.job,
        outputFile: options.outputFile,
        maxOutputBytes: options.maxOutputBytes,
        tailBytes: options.tailBytes,
        warm: options.warm ?? 0,
      });
    }

    const timers: NodeJS.Timeout[] = [];
    const terminate = () => {
      if (job.stopping) return;
      job.stopping = true;
      if (this.child) this.send(this.child, { type: "kill", id });
      this.signalGroups(job.groups, "SIGTERM");
      timers.push(setTimeout(() => this.signalGroups(job.groups, "SIGKILL"), this.options.killGraceMs));
      const what = options.job.kind === "run" ? options.job.name : "reading the declarations";
      const patience = this.options.killGraceMs + 1000;
      timers.push(
        setTimeout(
          () =>
            this.kill(
              `was stopped because ${what} could not be: its worker thread did not end within ${patience} ms of being told to (blocked in native code, e.g. a synchronous child process)`,
            ),
          patience,
        ),
      );
    };
    timers.push(
      setTimeout(() => {
        timedOut = true;
        terminate();
      }, options.timeoutMs),
    );
    const onAbort = () => {
      interrupted = true;
      terminate();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort);

    const result = await settled;
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    this.pending.delete(id);
    this.endGroups(job.groups);

    const base = { signal: null, timedOut, interrupted, durationMs: Date.now() - started };
    if (result.type === "done") {
      const { exitCode, digest, outputBytes, outputTruncated } = result.done;
      return { ...base, exitCode, spawnError: null, digest, outputBytes, outputTruncated };
    }
    if (result.type === "spawn-error") {
      writeLine(options.outputFile, `[runner] could not start the replay host: ${result.error}\n`);
      return {
        ...base,
        exitCode: null,
        spawnError: `the replay host: ${result.error}`,
        ...scanFile(options.outputFile, options),
      };
    }
    writeLine(options.outputFile, `\n[replay] FAIL: the replay host process ${result.how}\n`);
    return { ...base, exitCode: 1, spawnError: null, ...scanFile(options.outputFile, options) };
  }

  /** Starts the host now (its start-up overlaps whatever the runner does next) with `warm` workers waiting. */
  start(warm: number): void {
    const child = this.ensureStarted();
    if (child) this.send(child, { type: "warm", count: warm });
  }

  /** How many workers the host keeps waiting (e.g. 0 once no TypeScript replay is left). */
  setWarm(count: number): void {
    if (this.child) this.send(this.child, { type: "warm", count });
  }

  /** Stops the host and whatever the replays started. Idempotent. */
  async close(): Promise<void> {
    const child = this.child;
    if (child) {
      const exited = new Promise<void>((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve()
          : child.once("exit", () => resolve()),
      );
      this.send(child, { type: "shutdown" });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
      if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
      // A replay's child process may hold the host's stdout: do not wait for it.
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
    for (const pgid of this.groups) killGroup(pgid, "SIGKILL");
    this.groups.clear();
  }

  private ensureStarted(): ChildProcess | undefined {
    if (this.child) return this.child;
    const { host, cwd, env } = this.options;
    this.killReason = undefined;
    this.lastLines = [];
    let child: ChildProcess;
    try {
      // detached: the host leads its own process group — what a stuck replay leaves is killed with it.
      child = spawn(host.command, [...host.args], {
        cwd,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe", "ipc"],
      });
    } catch (error) {
      this.failAll({ type: "spawn-error", error: errorMessage(error) });
      return undefined;
    }
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) if (stream) this.readLines(stream);
    child.on("message", (message: FromHost) => this.onMessage(message));
    let gone = false;
    const onGone = (result: Settled, victims: Pending[] = [...this.pending.values()]) => {
      if (gone) return;
      gone = true;
      if (this.child === child) this.child = undefined;
      for (const job of victims) job.settle(result);
    };
    child.on("error", (error) => {
      // Only a spawn failure leaves the process without a pid; later errors are IPC hiccups.
      if (child.pid === undefined) onGone({ type: "spawn-error", error: errorMessage(error) });
    });
    child.once("exit", (code, signal) => {
      const how =
        this.killReason ??
        `exited unexpectedly (${signal ? `killed by ${signal}` : `exit code ${code}`})${this.lastWords()}`;
      // The jobs it was running; a job started from now on gets a new host.
      const victims = [...this.pending.values()];
      if (this.child === child) this.child = undefined;
      // Messages still in the channel (a `done` sent just before) come first.
      const fail = () => onGone({ type: "died", how }, victims);
      if (!child.connected) return void setImmediate(fail);
      const timer = setTimeout(fail, 1000);
      child.once("disconnect", () => {
        clearTimeout(timer);
        setImmediate(fail);
      });
    });
    return child;
  }

  private onMessage(message: FromHost): void {
    const job = this.pending.get(message.id);
    if (message.type === "child") {
      // A child of a job that is over already: it goes at once.
      if (!job) return void killGroup(message.pid, "SIGKILL");
      this.groups.add(message.pid);
      job.groups.add(message.pid);
      if (job.stopping) killGroup(message.pid, "SIGTERM");
      return;
    }
    job?.settle({ type: "done", done: message });
  }

  private failAll(result: Settled): void {
    for (const job of this.pending.values()) job.settle(result);
  }

  /** Stops the host and everything in it; the replays it ran FAIL with `reason`. */
  private kill(reason: string): void {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    this.killReason ??= reason;
    killGroup(child.pid, "SIGKILL");
  }

  private send(child: ChildProcess, message: ToHost): void {
    if (!child.connected) return;
    // A host that just died cannot take it; its exit fails the pending jobs.
    child.send(message, (error) => void error);
  }

  private signalGroups(groups: Set<number>, signal: NodeJS.Signals): void {
    for (const pgid of groups) killGroup(pgid, signal);
  }

  /**
   * What the replay started and left running ends with it: SIGTERM now, SIGKILL after the grace; then
   * the group is forgotten (its id could be reused by an unrelated process group later).
   */
  private endGroups(groups: Set<number>): void {
    for (const pgid of groups) if (!killGroup(pgid, "SIGTERM")) this.groups.delete(pgid);
    const alive = [...groups].filter((pgid) => this.groups.has(pgid));
    if (alive.length === 0) return;
    setTimeout(() => {
      for (const pgid of alive) {
        killGroup(pgid, "SIGKILL");
        this.groups.delete(pgid);
      }
    }, this.options.killGraceMs).unref();
  }

  private readLines(stream: Readable): void {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.hostSaid(line);
    });
    stream.on("end", () => partial && this.hostSaid(partial));
  }

  private hostSaid(line: string): void {
    this.lastLines.push(line);
    if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
    this.options.log?.(`[replay-host] ${line}`);
  }

  private lastWords(): string {
    const words = this.lastLines.filter((l) => l.trim() !== "").slice(-3);
    return words.length > 0 ? `; it said: ${words.join(" ⏎ ")}` : "";
  }
}

function writeLine(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, text);
  } catch {
    // The digest below still carries the reason when the file cannot be written.
  }
}

/** The digest of an output file the host could not finish (it died): read back through the scanner. */
function scanFile(
  file: string,
  options: { maxOutputBytes: number; tailBytes: number },
): Pick<Execution, "digest" | "outputBytes" | "outputTruncated"> {
  const scanner = new OutputScanner({ tailBytes: options.tailBytes });
  let size = 0;
  try {
    size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer))
        scanner.feed(Buffer.from(buffer.subarray(0, n)));
    } finally {
      closeSync(fd);
    }
  } catch {
    // Nothing readable: an empty digest.
  }
  return { digest: scanner.finish(), outputBytes: size, outputTruncated: size > options.maxOutputBytes };
}
