/**
 * `npm run replays|seed [-- --stack <name>] …` (scripts/replays.ts): the runner (runner/cli.ts) as
 * before, or, with `--stack`, against a stack that is up (after `KEEP_UP=1 npm run harness`), with
 * HARNESS_TARGET and HARNESS_SEED taken from that stack's own outputs (`target`, secret, and `seed`),
 * read by the real engine, never from a JSON built by hand. The runner stays free of the engine:
 * this wrapper resolves the environment and then calls the runner's `main`.
 *
 * With `--stack`, a run selects by default what the stack's `harness:replays` selects (its dir,
 * include/exclude, timeout, concurrency; flags win) and hands the runner the stack's `suites` output,
 * which the runner's include/exclude select by name as they select replays: `--include <replay>`
 * runs that replay alone, `--suite <name>` (checked against the stack's suites) adds that suite. It
 * reports to `<the stack's reports>/kept/`, so the reports of the stack's own up are never
 * overwritten.
 * Everything it touches comes in through `ReplaysDeps` (tests drive it with stand-ins).
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readTarget, TARGET_ENV, type HarnessTarget } from "../../program/contracts/target";
import { SEED_ENV } from "../../program/contracts/seed";
import { SUITES_ENV } from "../../program/contracts/suites";
import { RUN_OPTIONS, SEED_OPTIONS, type CliIo } from "../../runner/cli";
import { replaysOfStack } from "../one-shot/stack-file";
import { watchLoop, type Watcher } from "./watch";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Where a kept-stack run reports, under the stack's reports folder. */
export const KEPT_REPORTS = "kept";

export const USAGE = `usage:
  npm run replays -- [--stack <name>] [--include <glob>]... [--exclude <glob>]... [--suite <name>]...
                     [--replays-dir <dir>] [--timeout <seconds>] [--concurrency <n>] [--watch]
  npm run seed    -- [--stack <name>] [--health-timeout <seconds>]
--stack: run against that stack, up (KEEP_UP=1 npm run harness -- --stack <name>); without it the
runner reads HARNESS_TARGET/HARNESS_SEED from the environment. exit: 0 ok, 1 a replay failed,
2 harness error (also: the stack is not up), 130 interrupted.`;

/** The runner's flags (runner/cli.ts) and this wrapper's own, per command. */
const OPTIONS: Record<ReplaysArgs["command"], Options> = {
  run: {
    ...RUN_OPTIONS,
    stack: { type: "string" },
    watch: { type: "boolean" },
    suite: { type: "string", multiple: true },
  },
  seed: { ...SEED_OPTIONS, stack: { type: "string" } },
};
const OWN = ["stack", "watch", "suite"];

export interface ReplaysArgs {
  command: "run" | "seed";
  stack?: string;
  watch: boolean;
  /** --suite: the stack's suites to run (each also an `--include` of the runner). */
  suites: string[];
  /** The runner's own flags, in the order given. */
  runnerArgs: string[];
  /** Which of the runner's flags were given. */
  given: Set<string>;
}

/** The arguments after `run`/`seed`, or what is wrong with them (one line). */
export function parseReplaysArgs(argv: string[]): ReplaysArgs | string {
  const [command, ...rest] = argv;
  if (command !== "run" && command !== "seed")
    return command ? `unknown command "${command}" (run or seed)` : "missing command (run or seed)";
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: OPTIONS[command],
    });
  } catch (error) {
    return (error as Error).message;
  }
  const values = parsed.values as { stack?: string; watch?: boolean; suite?: string[] };
  if (values.stack !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(values.stack))
    return `--stack needs a stack name, e.g. --stack e2e (got "${values.stack}")`;
  if (values.suite && values.stack === undefined)
    return "--suite needs --stack: the suites are the stack's own (its `suites` output)";
  const runnerArgs: string[] = [];
  const given = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || (OWN.includes(token.name) && token.name !== "suite")) continue;
    // The runner selects suites by name with --include, as replays.
    const name = token.name === "suite" ? "include" : token.name;
    given.add(name);
    runnerArgs.push(`--${name}`, ...(token.value === undefined ? [] : [token.value]));
  }
  return {
    command,
    stack: values.stack,
    watch: values.watch === true,
    suites: values.suite ?? [],
    runnerArgs,
    given,
  };
}

/** What the engine says of the stack: its outputs (secrets in the clear), or why there are none. */
export type StackOutputs =
  | { outputs: Record<string, unknown> }
  | { notFound: true }
  /** One line: why the outputs could not be read and what to do. */
  | { problem: string };

const upCommand = (stack: string) => `KEEP_UP=1 npm run harness -- --stack ${stack}`;

/** The one line for a stack that is not up. */
export function notUpLine(stack: string, why: string): string {
  return `stack ${stack} is not up (${why}): run \`${upCommand(stack)}\``;
}

export interface StackRun {
  /** HARNESS_TARGET, HARNESS_SEED (run) and HARNESS_SUITES (run). */
  env: Record<string, string>;
  target: HarnessTarget;
}

/**
 * The runner's environment from the stack's outputs, or the one line that says what is wrong and
 * what to run. `run` reports to `<reportsDir>/kept`.
 */
export function fromOutputs(stack: string, read: StackOutputs, args: ReplaysArgs): StackRun | string {
  if ("notFound" in read) return notUpLine(stack, "no such stack in this project");
  if ("problem" in read) return `cannot read the outputs of stack ${stack}: ${read.problem}`;
  const o = read.outputs;
  if (Object.keys(o).length === 0) return notUpLine(stack, "it has no outputs: destroyed, or never up");
  const older = (what: string) =>
    `stack ${stack} was booted by an older program (${what}): run \`npm run stack -- up --stack ${stack}\``;
  if (o.target === undefined) return older("no `target` output");
  let target: HarnessTarget;
  try {
    target = readTarget({ [TARGET_ENV]: typeof o.target === "string" ? o.target : JSON.stringify(o.target) });
  } catch (error) {
    return older(`its \`target\` output is not what this runner reads: ${(error as Error).message}`);
  }
  if (args.command === "seed") return { env: { [TARGET_ENV]: JSON.stringify(target) }, target };
  if (o.seed === null || typeof o.seed !== "object") return older("no `seed` output");
  const suites = Array.isArray(o.suites) ? (o.suites as { name?: unknown }[]) : undefined;
  if (args.suites.length > 0) {
    if (!suites) return older("no `suites` output");
    const names = suites.map((s) => String(s.name));
    const unknown = args.suites.filter((n) => !names.includes(n));
    if (unknown.length > 0)
      return `stack ${stack} has no suite ${unknown.map((n) => `"${n}"`).join(", ")} (its suites: ${names.join(", ") || "none"})`;
  }
  const kept = { ...target, reportsDir: join(target.reportsDir, KEPT_REPORTS) };
  return {
    env: {
      [TARGET_ENV]: JSON.stringify(kept),
      [SEED_ENV]: JSON.stringify(o.seed),
      [SUITES_ENV]: JSON.stringify(suites ?? []),
    },
    target: kept,
  };
}

/** The runner's flags for a kept-stack run: the stack's `harness:replays` where no flag was given. */
export function stackRunnerArgs(
  args: ReplaysArgs,
  stackReplays: Record<string, unknown>,
  repoRoot: string,
): string[] {
  const out = [...args.runnerArgs];
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
  if (!args.given.has("replays-dir"))
    out.push(
      "--replays-dir",
      resolve(repoRoot, typeof stackReplays.dir === "string" ? stackReplays.dir : "replays"),
    );
  if (!args.given.has("include") && !args.given.has("exclude")) {
    for (const glob of strings(stackReplays.include)) out.push("--include", glob);
    for (const glob of strings(stackReplays.exclude)) out.push("--exclude", glob);
  }
  if (!args.given.has("timeout") && stackReplays.timeoutSeconds !== undefined)
    out.push("--timeout", String(stackReplays.timeoutSeconds));
  if (!args.given.has("concurrency") && stackReplays.concurrency !== undefined)
    out.push("--concurrency", String(stackReplays.concurrency));
  return out;
}

/** The value of the last `--<flag> <value>` in runner arguments. */
function flagValue(runnerArgs: string[], flag: string): string | undefined {
  const at = runnerArgs.lastIndexOf(`--${flag}`);
  return at >= 0 ? runnerArgs[at + 1] : undefined;
}

export interface ReplaysDeps {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Where Pulumi.<stack>.yaml is and relative paths start (the repository root under npm). */
  workDir: string;
  /** The checkout: the program resolves `harness:replays.dir` against it; runner/shell/ is in it. */
  repoRoot: string;
  /** Human output (stderr), raw text. */
  stderr: (text: string) => void;
  stdout: (text: string) => void;
  /** The stack's outputs through the real engine (scripts/replays.ts). */
  readOutputs: (stack: string) => Promise<StackOutputs>;
  /** runner/cli.ts `main`. */
  runner: (argv: string[], io: CliIo) => Promise<number>;
  /** Watches these files and directories (recursively). */
  watch: (paths: string[], onChange: (path: string) => void) => Watcher;
  /** Ctrl-C / SIGTERM (reason: the signal's name). */
  stop: AbortSignal;
}

/** Returns the exit code (never throws). */
export async function replaysMain(deps: ReplaysDeps): Promise<number> {
  const args = parseReplaysArgs(deps.argv);
  const tag = deps.argv[0] === "seed" ? "[seed]" : "[replays]";
  const say = (line: string) => deps.stderr(`${tag} ${line}\n`);
  if (typeof args === "string") {
    say(args);
    deps.stderr(`${USAGE}\n`);
    return 2;
  }
  if (!args.stack && !deps.env[TARGET_ENV]) {
    say(
      `${TARGET_ENV} is not set: add --stack <name> for a stack that is up, or run \`npm run replays:local\``,
    );
    return 2;
  }
  let env = deps.env;
  let runnerArgs = args.runnerArgs;
  let stdout = deps.stdout;
  if (args.stack) {
    const resolved = fromOutputs(args.stack, await deps.readOutputs(args.stack), args);
    if (typeof resolved === "string") {
      say(resolved);
      return 2;
    }
    env = { ...deps.env, ...resolved.env };
    if (args.command === "run") {
      runnerArgs = stackRunnerArgs(args, replaysOfStack(deps.workDir, args.stack), deps.repoRoot);
      // The summary is in results.json; a terminal shows the runner's lines, the last being the count.
      stdout = () => undefined;
      const reports = relative(deps.workDir, resolved.target.reportsDir) || ".";
      say(`stack ${args.stack}: target and seed from its outputs; reports in ${reports}/`);
    } else {
      say(`stack ${args.stack}: target from its outputs`);
    }
  }
  const argv = [args.command, ...runnerArgs];
  const io = (signal: AbortSignal): CliIo => ({ env, stdout, stderr: deps.stderr, signal });
  if (!args.watch) return deps.runner(argv, io(deps.stop));

  const replaysDir = resolve(deps.workDir, flagValue(runnerArgs, "replays-dir") ?? "replays");
  // The replays (replays/lib/ too), the anchor shims beside them, the bash helpers they source.
  const paths = [
    replaysDir,
    join(dirname(replaysDir), "_curl.sh"),
    join(dirname(replaysDir), ".seed.env"),
    join(deps.repoRoot, "runner", "shell"),
  ].filter((p) => existsSync(p));
  say(`--watch: re-runs on changes in ${paths.map((p) => relative(deps.workDir, p) || ".").join(", ")}`);
  return watchLoop({
    runOnce: (signal) => deps.runner(argv, io(signal)),
    watch: (onChange) => deps.watch(paths, (path) => onChange(relative(deps.workDir, path))),
    stop: deps.stop,
    log: say,
  });
}
