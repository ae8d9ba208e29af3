/**
 * The stack outputs on disk, as `pulumi stack output --json --show-secrets` prints them: secrets in
 * clear, so the file is created mode 0600 (and re-chmodded if it already existed).
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ReplaySummary } from "../contracts/summary";

export function defaultOutputsPath(repoRoot: string): string {
  return join(repoRoot, ".harness", "outputs.json");
}

export function writeSecretJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The replay verdict from the outputs (the CI contract: `replays`, `replaysPassed`). */
export function replayVerdict(outputs: Record<string, unknown>): {
  passed: boolean;
  summary?: ReplaySummary;
  problem?: string;
} {
  const summary = outputs.replays as ReplaySummary | undefined;
  if (summary === undefined || typeof summary !== "object") {
    return { passed: false, problem: "the stack has no `replays` output" };
  }
  if (typeof outputs.replaysPassed !== "boolean") {
    return { passed: false, summary, problem: "the stack has no boolean `replaysPassed` output" };
  }
  return { passed: outputs.replaysPassed, summary };
}
