/**
 * `npm run harness -- [--stack <name>] [--only <glob>]…`. `--stack` wins over HARNESS_STACK (default
 * `harness`). `--only` narrows this one run to the matching replays: it becomes the replays
 * Command's include for this up only, as a config override (scripts/pulumi/stack-op.ts `config`:
 * the engine reads a copy of the stack file), so the user's Pulumi.<stack>.yaml is never rewritten.
 */
import { parseArgs } from "node:util";
import { replaysOfStack } from "./stack-file";

export const HARNESS_USAGE =
  "usage: npm run harness -- [--stack <name>] [--only <glob>]... [--engines <pool file>]   (env: KEEP_UP=1, REBUILD=1, HARNESS_STACK)";

export interface HarnessArgs {
  stack: string;
  /** Globs of the replays to run (the runner's --include); empty: what the stack's config selects. */
  only: string[];
  /** A pool of engines (scripts/one-shot/pool.ts): the stack runs on the least-loaded one. */
  engines?: string;
}

/** The arguments, or what is wrong with them (one line). */
export function parseHarnessArgs(argv: string[], env: NodeJS.ProcessEnv): HarnessArgs | string {
  let values: { stack?: string; only: string[]; engines?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        only: { type: "string", multiple: true, default: [] },
        engines: { type: "string" },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.stack !== undefined && !values.stack.trim())
    return "--stack needs a stack name, e.g. --stack e2e";
  if (values.only.some((glob) => !glob.trim())) return "--only needs a glob, e.g. --only 'tenant-*'";
  if (values.engines !== undefined && !values.engines.trim())
    return "--engines needs a pool file, e.g. --engines ci-engines.yaml";
  return {
    stack: values.stack || env.HARNESS_STACK || "harness",
    only: values.only,
    ...(values.engines ? { engines: values.engines } : {}),
  };
}

/** The config override of an `--only` run (undefined without it); the rest of `harness:replays` stays. */
export function onlyConfig(
  workDir: string,
  stack: string,
  only: string[],
): Record<string, unknown> | undefined {
  if (only.length === 0) return undefined;
  return { "harness:replays": { ...replaysOfStack(workDir, stack), include: only } };
}
