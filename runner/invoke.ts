/**
 * The seed and replay runner as the Pulumi program invokes them (runner/cli.ts,
 * docs/design.md#components-and-commands): command lines, and parsing of their stdout (JSON; progress goes to
 * stderr).
 *
 * The Commands start the runner's bundle with plain `node` (no tsx: no transpiling at start-up).
 * Asking for a command line bundles the runner first (runner/bundle.ts → runner/dist/), so the
 * bundle exists, current, before any Command runs — on preview too, as the service bundles
 * (program/images/bundles.ts): deterministic, only changed bytes rewritten, and nothing rebuilt when the
 * sources are unchanged. runner/dist/ is outside the replays Command's content hash
 * (program/lib/triggers.ts hashes the runner's sources), so only a source change re-runs the replays.
 */
import { join } from "node:path";
import { checkSeed, type SeedResult } from "../program/contracts/seed";
import { checkSummary, type ReplaySummary } from "../program/contracts/summary";
import { shellQuote } from "../program/lib/shell";
import { bundleRunner, checkoutRoot, runnerDist } from "./bundle";

/** Relative to the repository root, the Commands' working directory. */
export const RUNNER_CLI = "runner/dist/cli.js";
const RUNNER = `node ${RUNNER_CLI}`;

/** Bundles the runner into `<repoRoot>/runner/dist/` (a no-op when it is current). */
export function prepareRunner(repoRoot: string = checkoutRoot(__dirname)): void {
  try {
    bundleRunner(repoRoot);
  } catch (error) {
    throw new Error(
      `bundling the runner for the seed and replays Commands (${join(runnerDist(repoRoot), "cli.js")}) failed: ${(error as Error).message}`,
    );
  }
}

/** `repoRoot`: the Command's working directory (default: this checkout). */
export function seedCommand(repoRoot?: string): string {
  prepareRunner(repoRoot);
  return `${RUNNER} seed`;
}

export interface ReplaysCommandOptions {
  /** The Command's working directory, where the runner is bundled (default: this checkout). */
  repoRoot?: string;
  replaysDir: string;
  include: string[];
  exclude: string[];
  timeoutSeconds: number;
  concurrency: number;
}

export function replaysCommand(o: ReplaysCommandOptions): string {
  prepareRunner(o.repoRoot);
  const args = ["run", "--command-mode", "--replays-dir", o.replaysDir];
  for (const glob of o.include) args.push("--include", glob);
  for (const glob of o.exclude) args.push("--exclude", glob);
  args.push("--timeout", String(o.timeoutSeconds), "--concurrency", String(o.concurrency));
  return `${RUNNER} ${args.map(shellQuote).join(" ")}`;
}

/**
 * Parses a runner's stdout. The whole of it should be one JSON document; if a library wrote to
 * stdout anyway, the last line that parses is taken. Anything else is a harness failure.
 */
export function parseRunnerJson(stdout: string, what: string): unknown {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    const lines = text.split("\n").reverse();
    for (const line of lines) {
      const candidate = line.trim();
      if (!candidate.startsWith("{")) continue;
      try {
        return JSON.parse(candidate);
      } catch {
        // keep looking
      }
    }
  }
  const preview = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  throw new Error(
    `the ${what} printed no JSON on stdout (got ${JSON.stringify(preview)}); see its stderr above`,
  );
}

export function parseSeed(stdout: string): SeedResult {
  return checkSeed(parseRunnerJson(stdout, "seed"), "the seed's JSON");
}

export function parseSummary(stdout: string): ReplaySummary {
  return checkSummary(parseRunnerJson(stdout, "replay runner"), "the replay runner's JSON summary");
}
