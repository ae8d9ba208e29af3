/**
 * The seed and replay runner as the Pulumi program invokes them (runner/cli.ts, PROJECT-SPEC §5/§8):
 * command lines, and parsing of their stdout (JSON; progress goes to stderr).
 */
import type { SeedResult } from "../contracts/seed";
import type { ReplaySummary } from "../contracts/summary";

/** POSIX shell single-quoting: the Command runs under /bin/sh -c. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const RUNNER = "node --import tsx runner/cli.ts";

export function seedCommand(): string {
  return `${RUNNER} seed`;
}

export interface ReplaysCommandOptions {
  replaysDir: string;
  include: string[];
  exclude: string[];
  timeoutSeconds: number;
  concurrency: number;
}

export function replaysCommand(o: ReplaysCommandOptions): string {
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
  const value = parseRunnerJson(stdout, "seed") as Partial<SeedResult>;
  if (
    typeof value !== "object" ||
    value === null ||
    typeof value.tenants !== "object" ||
    value.tenants === null
  ) {
    throw new Error(`the seed's JSON lacks "tenants": ${JSON.stringify(value).slice(0, 200)}`);
  }
  return value as SeedResult;
}

export function parseSummary(stdout: string): ReplaySummary {
  const value = parseRunnerJson(stdout, "replay runner") as Partial<ReplaySummary>;
  const missing = (
    ["total", "passed", "failed", "skipped", "xfailed", "xpassed", "durationMs", "results"] as const
  ).filter((key) => value === null || typeof value !== "object" || value[key] === undefined);
  if (missing.length > 0) {
    throw new Error(`the replay runner's JSON summary lacks ${missing.join(", ")}`);
  }
  return value as ReplaySummary;
}
