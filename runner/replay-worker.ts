/**
 * The code of one worker thread of the replay host (replay-host.ts; bundled as runner/dist/replay-worker.js).
 * A worker is started ahead of time (prewarm), waits for ONE job, does it and exits — no worker runs
 * two replays, so nothing one replay leaves (globals, timers, sockets, pools) reaches another. It
 * speaks the anchor's protocol on its stdout/stderr, so the runner classifies TS and shell replays alike:
 *   ctx.skip(reason)  → `[replay] __SKIP__:<closes>:<reason>`, exit 0
 *   ctx.xfail(reason) → `[replay] __XFAIL__:<closes>:<reason>`, exit 0
 *   a thrown error    → `[replay] FAIL: <one line>` (+ stack), exit 1
 *   success           → `[replay] PASS: <proves>`, exit 0
 * A worker that ends without a verdict (process.exit, a run() left pending, a crash) gets its FAIL
 * line from the host. A describe job prints one JSON line (DescribeLine) per replay instead.
 */
import type { ChildProcess } from "node:child_process";
import Module from "node:module";
import { basename, dirname } from "node:path";
import { isMainThread, parentPort, type MessagePort } from "node:worker_threads";
import { readSeed } from "../program/contracts/seed";
import { readTarget } from "../program/contracts/target";
import { isReplayDefinition, metaOf, type ReplayDefinition, type ReplayMeta } from "./api";
import { createContext } from "./context";
import { errorMessage } from "./errors";
import { endOfOutput, type CompiledReplay, type FromWorker, type WorkerJob } from "./host-protocol";
import { ReplaySkip, ReplayXfail } from "./signals";

export interface DescribeLine {
  file: string;
  meta?: ReplayMeta;
  error?: string;
}

interface CompiledModule {
  filename: string;
  paths: string[];
  exports: unknown;
  loaded: boolean;
  _compile(code: string, filename: string): unknown;
}
interface ModuleInternals {
  new (id: string, parent?: unknown): CompiledModule;
  _nodeModulePaths(dir: string): string[];
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

/**
 * Evaluates compiled CommonJS under the name of its source file, as if `require`d from there: its
 * packages (`undici`, `ws`, …, left external by the compiler) resolve from the replay's directory,
 * `__dirname` is the replay's, and stack traces (source maps on) name the .ts lines.
 */
export function evaluateCompiled(file: string, code: string): unknown {
  const M = Module as unknown as ModuleInternals;
  const mod = new M(file, null);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dirname(file));
  mod._compile(code, file);
  mod.loaded = true;
  return mod.exports;
}

/** Loads a compiled replay and returns its definition, or throws a message that says what is wrong. */
export function loadDefinition(replay: CompiledReplay): ReplayDefinition {
  if (replay.error !== undefined) throw new Error(replay.error);
  const mod = evaluateCompiled(replay.file, replay.code ?? "") as { default?: unknown } | null;
  // A module compiled from `export default` has it on `default`; be lenient about one more level.
  const candidates = [mod?.default, (mod?.default as { default?: unknown } | undefined)?.default];
  const definition = candidates.find(isReplayDefinition);
  if (!definition) {
    throw new Error(
      `${basename(replay.file)} does not \`export default defineReplay({...})\` (from runner/api)`,
    );
  }
  return definition;
}

/** First line for the FAIL message, the rest (and the stack) for the output. */
export function describeError(error: unknown): { line: string; detail: string } {
  if (error instanceof Error) {
    const lines = error.message.split("\n");
    // "Build failed with 1 error:" says nothing without the line after it (file:line: ERROR: …).
    const take = lines.length > 1 && lines[0].trim().endsWith(":") ? 2 : 1;
    const first = lines.slice(0, take).join(" ");
    const rest = lines.slice(take);
    const plain = ["Error", "ReplayAssertionError", "HttpRequestError"].includes(error.name);
    const line = plain ? first : `${error.name}: ${first}`;
    const detail = [rest.join("\n"), error.stack ?? ""].filter((s) => s.trim() !== "").join("\n");
    return { line: line.trim() || error.name, detail };
  }
  return { line: `threw a non-error value: ${errorMessage(error)}`, detail: "" };
}

/** Resolves once the host has taken the text (worker stdio is flow-controlled by the host). */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

/** Ends the worker: tells the host its output is complete (endOfOutput), then exits. */
async function exit(code: number): Promise<never> {
  await write(process.stdout, endOfOutput(code));
  process.exit(code);
}

/**
 * Every child process the replay starts leads its own process group, and the runner hears its pid:
 * it is signalled with the replay (timeout, interrupt) and whatever is left of it when the replay ends,
 * as the process group of a bash replay is. (The sync variants block this thread; a timeout then
 * stops the whole host, which takes them with it.) Done when something first loads child_process:
 * a worker whose replay starts no process does not load it.
 */
function trackChildProcesses(port: MessagePort): void {
  const M = Module as unknown as ModuleInternals;
  const load = M._load;
  let patched = false;
  M._load = function (request, parent, isMain) {
    const loaded = load.call(this, request, parent, isMain);
    if (!patched && (request === "child_process" || request === "node:child_process")) {
      patched = true;
      const proto = (loaded as { ChildProcess: typeof ChildProcess }).ChildProcess.prototype as unknown as {
        spawn(this: ChildProcess, options: Record<string, unknown>): unknown;
      };
      const spawn = proto.spawn;
      proto.spawn = function (this: ChildProcess, options: Record<string, unknown>) {
        const result = spawn.call(this, { ...options, detached: true });
        if (this.pid !== undefined) port.postMessage({ type: "child", pid: this.pid } satisfies FromWorker);
        return result;
      };
    }
    return loaded;
  };
}

async function describe(replays: readonly CompiledReplay[]): Promise<never> {
  for (const replay of replays) {
    const line: DescribeLine = { file: replay.file };
    try {
      line.meta = metaOf(loadDefinition(replay));
    } catch (error) {
      line.error = describeError(error).line;
    }
    await write(process.stdout, `${JSON.stringify(line)}\n`);
  }
  return exit(0);
}

/** One replay run: prints exactly one verdict line, whatever happens. */
class ReplayRun {
  private verdictOut = false;

  constructor(
    private readonly name: string,
    private readonly replay: CompiledReplay,
    private readonly port: MessagePort,
  ) {}

  private async verdict(line: string, detail: string, code: number): Promise<void> {
    if (this.verdictOut) return;
    this.verdictOut = true;
    this.port.postMessage({ type: "verdict" } satisfies FromWorker);
    await write(process.stdout, `${line}\n`);
    if (detail) await write(process.stderr, `${detail}\n`);
    await exit(code);
  }

  private fail(error: unknown, prefix = ""): Promise<void> {
    const { line, detail } = describeError(error);
    return this.verdict(`[replay] FAIL: ${prefix}${line}`, detail, 1);
  }

  async run(): Promise<void> {
    const file = this.replay.file;
    process.env.HARNESS_REPLAY = this.name;
    // A rejection nobody awaited still fails the replay, with a readable line.
    process.on("unhandledRejection", (reason) => void this.fail(reason, "unhandled rejection: "));
    process.on("uncaughtException", (error) => void this.fail(error, "uncaught exception: "));

    let definition: ReplayDefinition;
    try {
      definition = loadDefinition(this.replay);
    } catch (error) {
      return this.fail(error, `cannot load ${basename(file)}: `);
    }
    let target, seed;
    try {
      target = readTarget();
      seed = readSeed();
    } catch (error) {
      return this.fail(error, "harness: ");
    }
    const handle = createContext({
      name: this.name,
      target,
      seed,
      env: process.env,
      write: (text) => process.stderr.write(text),
    });
    const closes = definition.closes ?? "";
    let outcome: { line: string; detail: string; code: number };
    try {
      await definition.run(handle.ctx);
      outcome = { line: `[replay] PASS: ${definition.proves}`, detail: "", code: 0 };
    } catch (error) {
      if (error instanceof ReplaySkip) {
        outcome = { line: `[replay] __SKIP__:${closes}:${error.reason}`, detail: "", code: 0 };
      } else if (error instanceof ReplayXfail) {
        outcome = { line: `[replay] __XFAIL__:${closes}:${error.reason}`, detail: "", code: 0 };
      } else {
        const described = describeError(error);
        outcome = { line: `[replay] FAIL: ${described.line}`, detail: described.detail, code: 1 };
      }
    }
    await handle.close();
    return this.verdict(outcome.line, outcome.detail, outcome.code);
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  trackChildProcesses(port);
  port.once("message", (job: WorkerJob) => {
    // From here the port must not keep the thread alive: a run() left pending with nothing to wait
    // for ends the worker (without a verdict: the host reports it), as it ended a replay process.
    port.unref();
    if (job.kind === "describe") void describe(job.replays);
    else void new ReplayRun(job.name, job.replay, port).run();
  });
}
