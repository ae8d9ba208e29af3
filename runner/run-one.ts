/**
 * One replay from start to result: pick the command (bash for .sh, the TS host for .ts), execute it
 * isolated, classify the outcome. No printing (progress.ts) and no scheduling (schedule.ts).
 */
import { join } from "node:path";
import type { ReplayResult } from "../contracts/summary";
import { fileSafe } from "./artifacts";
import { classify } from "./classify";
import type { Declared, TsHostCommand } from "./describe";
import type { ReplayFile } from "./discover";
import { execute, type Execution } from "./execute";

export interface RunOneOptions {
  host: TsHostCommand;
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
  const command =
    replay.kind === "ts"
      ? { command: options.host.command, args: [...options.host.args, replay.file] }
      : // `bash <file>`: a missing +x bit does not matter, as in the anchor's runner.
        { command: "bash", args: [replay.file] };
  const execution = await execute({
    ...command,
    cwd: options.cwd,
    env: { ...options.env, HARNESS_REPLAY: replay.name },
    outputFile,
    timeoutMs: timeoutSeconds * 1000,
    killGraceMs: options.killGraceMs,
    maxOutputBytes: options.maxOutputBytes,
    tailBytes: options.tailBytes,
    signal: options.signal,
  });
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
    },
    execution,
    outputFile,
  };
}
