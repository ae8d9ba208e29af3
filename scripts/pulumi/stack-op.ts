/**
 * One engine operation (preview, up, refresh, destroy, outputs, remove) in a child process of its
 * own, as the Node.js language host runs a program once per process: what the inline program leaves
 * pending when an operation fails or is cancelled (registrations the engine will never answer) dies
 * with the child instead of rejecting later in the caller. Every caller (`npm run harness`, the
 * `pulumi` test tier, the bench) goes through `runStackOp`.
 *
 * The child runs under plain `node` from an esbuild bundle of this project's own code (packages stay
 * external), built once per calling process: loaded through tsx's hooks, the SDKs alone took about
 * a second more per operation. The child streams the CLI's progress on its stdout, every engine event (stamped with when it
 * arrived: the engine's own timestamps are whole seconds) as JSON lines on fd 3, and writes its
 * result to a file. Aborting `signal` sends the child one SIGINT, which it
 * passes on to the CLI (the engine then cancels gracefully: steps in flight finish and are recorded).
 */
import { spawn } from "node:child_process";
import { buildSync } from "esbuild";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { stepCollector, type PulumiCli, type Step } from "./engine";

export type StackOp = "preview" | "up" | "refresh" | "destroy" | "outputs" | "remove";

export interface StackOpRequest {
  op: StackOp;
  /** The checkout whose program runs (default: this one). */
  repoRoot?: string;
  workDir: string;
  stackName: string;
  cli: PulumiCli;
  env?: Record<string, string>;
  /** up: fail if anything would change. */
  expectNoChanges?: boolean;
  /** up: refresh first. */
  refresh?: boolean;
  /** A module exporting `program` (the inline program) to run instead of the harness. */
  programModule?: string;
  /** Select only: a missing stack fails (`notFound`) instead of becoming a new empty stack. */
  mustExist?: boolean;
  /**
   * preview/up/refresh: config keys (`harness:replays`) that replace the stack file's for this
   * operation only. The engine reads them from a copy of the stack file (`--config-file`), so the
   * user's Pulumi.<stack>.yaml is never rewritten.
   */
  config?: Record<string, unknown>;
}

export interface StackOpResult {
  ok: boolean;
  steps: Step[];
  /** outputs/up: the stack outputs, with which are secret. */
  outputs?: Record<string, { value: unknown; secret: boolean }>;
  /** Why it failed: the CLI's error, with its diagnostics. */
  error?: string;
  /** With `mustExist`: the stack does not exist. */
  notFound?: boolean;
  /** The CLI's progress output. */
  output: string;
  /** Wall clock (epoch ms) right before the operation was called, and when it returned. */
  startedAt?: number;
  endedAt?: number;
}

/** An engine event and the wall clock (epoch ms) when it arrived. */
export interface StampedEvent {
  at: number;
  event: EngineEvent;
}

export interface StackOpIo {
  /** The CLI's progress as it comes. */
  onOutput?: (text: string) => void;
  /** Each resource step as the engine announces it. */
  onStep?: (step: Step) => void;
  /** Every engine event, as it arrives. */
  onEvent?: (stamped: StampedEvent) => void;
  signal?: AbortSignal;
}

const REPO_ROOT = resolve(__dirname, "..", "..");
let bundled: string | undefined;

/**
 * The child's bundle, built on first use in this process. It sits under the checkout (so the
 * external packages resolve from its node_modules), named after this process, removed at exit.
 */
function childScript(): string {
  if (bundled) return bundled;
  const dir = join(REPO_ROOT, ".harness", "build");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `stack-op-child.${process.pid}.cjs`);
  buildSync({
    entryPoints: [join(__dirname, "stack-op-child.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "error",
  });
  process.once("exit", () => rmSync(out, { force: true }));
  bundled = out;
  return out;
}

export function runStackOp(req: StackOpRequest, io: StackOpIo = {}): Promise<StackOpResult> {
  const dir = mkdtempSync(join(tmpdir(), "harness-op-"));
  const requestFile = join(dir, "request.json");
  const resultFile = join(dir, "result.json");
  writeFileSync(requestFile, JSON.stringify({ repoRoot: REPO_ROOT, ...req }), { mode: 0o600 });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--enable-source-maps", childScript(), requestFile, resultFile], {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    let output = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => {
      output += c.toString();
      io.onOutput?.(c.toString());
    });
    child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
    const collect = stepCollector();
    const steps = collect.steps;
    let pending = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (c: Buffer) => {
      pending += c.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        const stamped = JSON.parse(line) as StampedEvent;
        io.onEvent?.(stamped);
        const before = steps.length;
        collect.onEvent(stamped.event);
        for (const step of steps.slice(before)) io.onStep?.(step);
      }
    });
    const abort = () => child.kill("SIGINT");
    if (io.signal?.aborted) abort();
    io.signal?.addEventListener("abort", abort, { once: true });
    child.on("close", (code, signal) => {
      io.signal?.removeEventListener("abort", abort);
      let result: StackOpResult;
      try {
        result = { ...(JSON.parse(readFileSync(resultFile, "utf8")) as StackOpResult), steps, output };
      } catch {
        result = {
          ok: false,
          steps,
          output,
          error: `the engine operation's process ended (${signal ?? `exit ${code}`}) without a result:\n${stderr.trimEnd()}`,
        };
      }
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
}
