/**
 * One replay from start to result: run it isolated (a bash process for .sh, a worker of the replay
 * host for .ts), classify the outcome. No printing (progress.ts) and no scheduling (schedule.ts).
 */
import { join } from "node:path";
import type { ReplayResult } from "../program/contracts/summary";
import { fileSafe } from "./artifacts";
import { classify } from "./classify";
import type { Declared } from "./describe";
import type { ReplayFile } from "./discover";
import { execute, type Execution } from "./execute";
import type { ReplayHost } from "./host-client";
import type { CompiledReplay } from "./host-protocol";

export interface RunOneOptions {
  /** Runs the TypeScript replays (needed only when there are some). */
  host?: ReplayHost;
  /** Each TypeScript replay compiled (compile.ts), by file. */
  compiled?: ReadonlyMap<string, CompiledReplay>;
  /** Workers the host should keep waiting after this replay takes one. */
  warm?: () => number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  outputDir: string;
  /** Used unless the replay declares its own. */
  defaultTimeoutSeconds: number;
  killGraceMs: number;
  maxOutputBytes: number;
  tailBytes: number;
  signal?: AbortSignal;
}

export interface ReplayRun {
  result: ReplayResult;
  execution: Execution;
  outputFile: string;
}

export function outputFileOf(outputDir: string, replay: ReplayFile): string {
  return join(outputDir, `${fileSafe(replay.name)}.log`);
}

export async function runOneReplay(
  replay: ReplayFile,
  declaration: Declared,
  options: RunOneOptions,
): Promise<ReplayRun> {
  const timeoutSeconds = declaration.timeoutSeconds ?? options.defaultTimeoutSeconds;
  const outputFile = outputFileOf(options.outputDir, replay);
  const limits = {
    outputFile,
    timeoutMs: timeoutSeconds * 1000,
    maxOutputBytes: options.maxOutputBytes,
    tailBytes: options.tailBytes,
    signal: options.signal,
  };
  // With durationMs, the window report.html takes a failure's logs and cp-stub journal entries from.
  const startedAt = new Date().toISOString();
  let execution: Execution;
  if (replay.kind === "ts") {
    if (!options.host)
      throw new Error(`runOneReplay: ${replay.name} is TypeScript and there is no replay host`);
    const compiled = options.compiled?.get(replay.file) ?? { file: replay.file, error: "not compiled" };
    execution = await options.host.execute({
      ...limits,
      job: { kind: "run", name: replay.name, replay: compiled },
      warm: options.warm?.(),
    });
  } else {
    execution = await execute({
      ...limits,
      // `bash <file>`: a missing +x bit does not matter, as in the anchor's runner.
      command: "bash",
      args: [replay.file],
      cwd: options.cwd,
      env: { ...options.env, HARNESS_REPLAY: replay.name },
      killGraceMs: options.killGraceMs,
    });
  }
  const verdict = classify(
    { ...execution, timeoutSeconds },
    { xfail: declaration.xfail, proves: declaration.proves },
  );
  const { digest } = execution;
  return {
    result: {
      name: replay.name,
      status: verdict.status,
      durationMs: execution.durationMs,
      closes: declaration.closes ?? digest.skip?.issue ?? digest.xfail?.issue ?? null,
      message: verdict.message,
      startedAt,
    },
    execution,
    outputFile,
  };
}
