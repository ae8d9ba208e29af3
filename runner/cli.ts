/**
 * Entry points (from the repo root; runner/dist/cli.js is this file bundled — runner/bundle.ts):
 *   node runner/dist/cli.js seed [--health-timeout <seconds>]
 *   node runner/dist/cli.js run [--command-mode] [--replays-dir replays] [--include <glob>]…
 *                               [--exclude <glob>]… [--timeout <seconds>] [--concurrency <n>]
 * (or `node --import tsx runner/cli.ts …` from the sources.)
 * stdout carries only the JSON result (SeedResult / ReplaySummary); humans read stderr.
 * Exit codes: 0 all passed; 1 a replay failed (0 with --command-mode: failure is data in the JSON);
 * 2 the harness itself failed (bad flags, bad HARNESS_TARGET/HARNESS_SEED/HARNESS_SUITES, no replays,
 * seed failure). HARNESS_SUITES (optional): the stack's own suites, run after the replays.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readSeed } from "../program/contracts/seed";
import { summaryPassed } from "../program/contracts/summary";
import { readSuites, SUITES_ENV } from "../program/contracts/suites";
import { readTarget } from "../program/contracts/target";
import { errorMessage, HarnessError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;
// ./run and ./seed are imported where used: the seed does not load the runner, nor the runner the seed.

export const USAGE = `usage:
  cli.ts run  [--command-mode] [--replays-dir <dir>] [--include <glob>]... [--exclude <glob>]...
              [--timeout <seconds>] [--concurrency <n>]
  cli.ts seed [--health-timeout <seconds>]
env: HARNESS_TARGET (both), HARNESS_SEED (run), HARNESS_SUITES (run, optional: the stack's own
suites, run after the replays). stdout: JSON only. exit: 0 ok, 1 replay or suite failed
(0 with --command-mode), 2 harness error.`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
}

class UsageError extends HarnessError {}

/** readTarget/readSeed throw plain errors; a bad environment is the harness's problem (exit 2, no stack). */
function fromEnv<T>(read: () => T, name: string): T {
  try {
    return read();
  } catch (error) {
    throw new HarnessError(
      error instanceof SyntaxError ? `${name} is not valid JSON: ${error.message}` : errorMessage(error),
    );
  }
}

function positiveNumber(value: string | undefined, flag: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be a positive ${integer ? "integer" : "number"}, got "${value}"`);
  }
  return n;
}

/** The flags of `run` and `seed` (scripts/replays/kept.ts adds its own to the same definitions). */
export const RUN_OPTIONS = {
  "command-mode": { type: "boolean", default: false },
  "replays-dir": { type: "string", default: "replays" },
  include: { type: "string", multiple: true, default: [] },
  exclude: { type: "string", multiple: true, default: [] },
  timeout: { type: "string" },
  concurrency: { type: "string" },
} as const satisfies Options;
export const SEED_OPTIONS = {
  "health-timeout": { type: "string" },
} as const satisfies Options;

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: RUN_OPTIONS });
  const { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_SECONDS, runReplays } = await import("./run");
  const timeoutSeconds = positiveNumber(values.timeout, "--timeout", DEFAULT_TIMEOUT_SECONDS);
  const concurrency = positiveNumber(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY, true);
  const target = fromEnv(() => readTarget(io.env), "HARNESS_TARGET");
  const seedResult = fromEnv(() => readSeed(io.env), "HARNESS_SEED");
  const suites = fromEnv(() => readSuites(io.env), SUITES_ENV);
  const summary = await runReplays({
    replaysDir: values["replays-dir"],
    include: values.include,
    exclude: values.exclude,
    timeoutSeconds,
    concurrency,
    target,
    seed: seedResult,
    suites,
    baseEnv: io.env,
    progress: (line) => io.stderr(`${line}\n`),
    signal: io.signal,
  });
  io.stdout(`${JSON.stringify(summary)}\n`);
  if (io.signal?.aborted) return 130;
  if (summaryPassed(summary) || values["command-mode"]) return 0;
  return 1;
}

async function seedCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: SEED_OPTIONS });
  const healthTimeoutMs = positiveNumber(values["health-timeout"], "--health-timeout", 15) * 1000;
  const target = fromEnv(() => readTarget(io.env), "HARNESS_TARGET");
  const { seed } = await import("./seed");
  const result = await seed({ target, healthTimeoutMs, progress: (line) => io.stderr(`${line}\n`) });
  io.stdout(`${JSON.stringify(result)}\n`);
  return 0;
}

/** Runs the CLI and returns its exit code (never throws). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "run") return await runCommand(rest, io);
    if (command === "seed") return await seedCommand(rest, io);
    if (command === "--help" || command === "-h" || command === "help") {
      io.stderr(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(command ? `unknown command "${command}"` : "missing command");
  } catch (error) {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION.
    const isUsage =
      error instanceof UsageError ||
      String((error as { code?: string }).code ?? "").startsWith("ERR_PARSE_ARGS");
    const tag = command === "seed" ? "[seed]" : "[runner]";
    io.stderr(`${tag} harness error: ${errorMessage(error)}\n`);
    if (isUsage) io.stderr(`${USAGE}\n`);
    else if (!(error instanceof HarnessError) && error instanceof Error && error.stack)
      io.stderr(`${error.stack}\n`);
    return 2;
  }
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(signal === "SIGINT" ? 130 : 143);
    process.stderr.write(`[runner] ${signal}: stopping the running replays (again to force)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const pending: Promise<void>[] = [];
  void main(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => void pending.push(write(process.stdout, text)),
    stderr: (text) => void pending.push(write(process.stderr, text)),
    signal: controller.signal,
  }).then(async (code) => {
    await Promise.all(pending);
    process.exit(code);
  });
}
