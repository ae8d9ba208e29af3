/** The human side of a run (stderr in the CLI): what the runner prints per replay. */
import type { ReplayRun } from "./run-one";

export type Progress = (line: string) => void;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export function printHeader(progress: Progress, name: string): void {
  progress(`[runner] ━━━ ${name} ━━━`);
}

/** `PASS: name (1.2s)`; anything else with its message, and FAIL/XPASS with the output tail. */
export function printResult(progress: Progress, run: ReplayRun, tailBytes: number, note?: string): void {
  const { result, execution, outputFile } = run;
  const took = seconds(result.durationMs);
  if (result.status === "PASS") {
    progress(`[runner] PASS: ${result.name} (${took})`);
    return;
  }
  progress(`[runner] ${result.status}: ${result.name} — ${result.message} (${took})`);
  if (result.status !== "FAIL" && result.status !== "XPASS") return;
  const { digest } = execution;
  const shown = digest.tailTruncated
    ? `last ${size(tailBytes)} of ${size(digest.totalBytes)}; full output: ${outputFile}`
    : `full output: ${outputFile}`;
  progress(`[runner] ┌── output of ${result.name} (${shown})`);
  if (note) progress(`[runner] │ ${note}`);
  const tail = digest.tail.replace(/\n$/, "");
  if (tail !== "") progress(tail);
  progress(`[runner] └── end of output of ${result.name}`);
}
