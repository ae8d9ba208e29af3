/**
 * The replay host: ONE long-lived process per run (bundled as runner/dist/replay-host.js and started
 * by the runner with plain `node`, in its own process group — host-client.ts) that runs each
 * TypeScript replay in a fresh worker thread (replay-worker.ts) instead of a `node --import tsx`
 * process per replay. Workers are started ahead of time (`warm`), so a replay finds one ready.
 *
 * Per job (IPC from the runner): take a worker, give it the compiled replay, write its stdout+stderr
 * to the output file (capped) through the OutputScanner, and when the worker exits answer `done` with
 * the exit code and the digest. A worker that ends without a verdict gets its FAIL line here.
 * `kill` terminates a worker (timeout, interrupt): that stops synchronous loops too. Everything else —
 * timeouts, the child processes a replay starts, a host that has to go — is the runner's side.
 */
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Worker } from "node:worker_threads";
import { END_OF_OUTPUT, type FromHost, type FromWorker, type HostJob, type ToHost } from "./host-protocol";
import { OutputSink } from "./output-sink";

const WORKER_FILE = join(__dirname, "replay-worker.js");

interface Running {
  id: number;
  kind: HostJob["job"]["kind"];
  worker: Worker;
  sink: OutputSink;
  verdict: boolean;
  killed: boolean;
  /** `done` is being (or was) sent: the rest of the worker's life is not this job's business. */
  finishing: boolean;
}

/** The first error a worker reported (a crash outside the replay's own handlers, out of memory…). */
const crashes = new WeakMap<Worker, string>();
const warm: Worker[] = [];
const leaveWarm = new Map<Worker, () => void>();
let warmTarget = 0;
let warmBroken = false;
const running = new Map<number, Running>();

function send(message: FromHost): void {
  // A runner that is gone cannot take it (and `disconnect` shuts this host down).
  process.send?.(message, undefined, undefined, (error) => void error);
}

function startWorker(): Worker {
  // stdout/stderr: true — the worker's output comes here, not to this process's own stdout.
  const worker = new Worker(WORKER_FILE, { stdout: true, stderr: true });
  worker.on("error", (error) => {
    if (!crashes.has(worker)) crashes.set(worker, error.stack ?? String(error));
  });
  return worker;
}

function refill(): void {
  while (!warmBroken && warm.length < warmTarget) {
    const worker = startWorker();
    // A worker that dies waiting (its code does not load?) is not refilled in a loop: the next job
    // starts its own worker and reports what went wrong.
    const died = () => {
      const at = warm.indexOf(worker);
      if (at >= 0) warm.splice(at, 1);
      leaveWarm.delete(worker);
      warmBroken = true;
    };
    worker.once("exit", died);
    leaveWarm.set(worker, () => worker.off("exit", died));
    warm.push(worker);
  }
  while (warm.length > warmTarget) {
    const worker = warm.pop() as Worker;
    leaveWarm.get(worker)?.();
    leaveWarm.delete(worker);
    void worker.terminate();
  }
}

function takeWarm(): Worker | undefined {
  const worker = warm.shift();
  if (worker) {
    leaveWarm.get(worker)?.();
    leaveWarm.delete(worker);
  }
  return worker;
}

function ended(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) return resolve();
    stream.once("end", resolve);
    stream.once("close", resolve);
  });
}

function missingVerdict(run: Running, code: number): string {
  const crash = crashes.get(run.worker);
  if (crash !== undefined) return `the replay's worker thread crashed: ${crash.split("\n")[0]}`;
  if (code === 0) {
    return "run() never finished: its promise was left pending with nothing left to wait for, or it called process.exit(0)";
  }
  return `the replay exited with code ${code} before run() finished (process.exit?)`;
}

/**
 * The worker said its output is complete and it exits with `code` (endOfOutput): answer now, not
 * after the thread's teardown — unless some of its output is still buffered (backpressure), then the
 * exit answers as usual.
 */
function outputEnded(run: Running, code: number): void {
  setImmediate(() => {
    if (run.finishing || run.killed || run.sink.waiting) return;
    if (run.worker.stdout.readableLength > 0 || run.worker.stderr.readableLength > 0) return;
    run.finishing = true;
    void answer(run, code);
  });
}

async function answer(run: Running, exitCode: number): Promise<void> {
  const totals = await run.sink.finish();
  running.delete(run.id);
  send({ type: "done", id: run.id, exitCode, ...totals });
}

async function finish(run: Running, code: number): Promise<void> {
  if (run.finishing) return;
  run.finishing = true;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([run.worker.stdout, run.worker.stderr].map(ended)),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
  ]);
  clearTimeout(timer);
  let exitCode = code;
  if (!run.killed) {
    if (run.kind === "run" && !run.verdict) {
      run.sink.feed(`[replay] FAIL: ${missingVerdict(run, code)}\n`);
      if (exitCode === 0) exitCode = 1;
    } else if (crashes.has(run.worker)) {
      run.sink.note(`[replay-host] the worker thread crashed: ${crashes.get(run.worker)}\n`);
    }
  }
  await answer(run, exitCode);
}

function startJob(message: HostJob): void {
  warmTarget = message.warm;
  const worker = takeWarm() ?? startWorker();
  warmBroken = false;
  const sink = new OutputSink(message);
  const run: Running = {
    id: message.id,
    kind: message.job.kind,
    worker,
    sink,
    verdict: false,
    killed: false,
    finishing: false,
  };
  running.set(message.id, run);
  sink.attach(worker.stdout, (chunk) => {
    if (chunk[chunk.length - 1] !== 0) return chunk;
    const tail = chunk.subarray(Math.max(0, chunk.length - 64));
    const end = END_OF_OUTPUT.exec(tail.toString("latin1"));
    if (!end) return chunk;
    outputEnded(run, Number(end[1]));
    return chunk.subarray(0, chunk.length - tail.length + end.index);
  });
  sink.attach(worker.stderr);
  worker.on("message", (m: FromWorker) => {
    if (m.type === "verdict") run.verdict = true;
    else if (m.type === "child") send({ type: "child", id: run.id, pid: m.pid });
  });
  worker.once("exit", (code) => void finish(run, code));
  worker.postMessage(message.job);
  refill();
}

async function shutdown(): Promise<never> {
  warmTarget = 0;
  refill();
  await Promise.allSettled([...running.values()].map((run) => run.worker.terminate()));
  process.exit(0);
}

process.on("message", (message: ToHost) => {
  switch (message.type) {
    case "job":
      return startJob(message);
    case "kill": {
      const run = running.get(message.id);
      if (run && !run.killed) {
        run.killed = true;
        if (!run.finishing) void run.worker.terminate();
      }
      return;
    }
    case "warm":
      warmTarget = message.count;
      return refill();
    case "shutdown":
      return void shutdown();
  }
});
// The runner is gone (or closed the channel): nothing left to do for anyone.
process.on("disconnect", () => void shutdown());
