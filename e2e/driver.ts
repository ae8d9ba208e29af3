/**
 * The e2e driver's `up`: runs the Pulumi program (index.ts) under `setMocks` with mocks that create
 * every declared resource for real (mocks.ts), and returns the stack outputs — what `pulumi up`
 * followed by `pulumi stack output --json --show-secrets` gives a user with the CLI.
 */
import type Docker from "dockerode";
import { loadProgram } from "../tests/pulumi/load-program";
import type { Cancellation } from "./cancel";
import type { Ledger } from "./ledger";
import type { Log } from "./log";
import { dockerMocks } from "./mocks";
import type { Timings } from "./timings";

export interface StackSpec {
  project: string;
  stack: string;
  /** Full keys (`harness:edge`), values as the CLI passes them (structured values as JSON text). */
  config: Record<string, string>;
  secretKeys?: string[];
  /** Environment for the program (e.g. HARNESS_REBUILD_NONCE). */
  env?: Record<string, string>;
}

export interface UpDeps {
  docker: Docker;
  log: Log;
  cancel: Cancellation;
  ledger: Ledger;
  timings: Timings;
}

export interface UpOutcome {
  /** The program's failure (a resource that could not be created, invalid config, …). */
  error?: string;
  outputs: Record<string, unknown>;
  /** Dotted paths of secret outputs (written as plain values to the 0600 outputs file). */
  secretOutputs: string[];
}

export async function up(spec: StackSpec, deps: UpDeps): Promise<UpOutcome> {
  const result = await loadProgram({
    stack: spec.stack,
    project: spec.project,
    config: spec.config,
    secretKeys: spec.secretKeys,
    env: spec.env,
    mocks: dockerMocks(deps),
  });
  return {
    ...(result.error ? { error: result.error.message } : {}),
    outputs: result.outputs,
    secretOutputs: result.secretOutputs,
  };
}

export interface Phases {
  /** `up` start → the last container healthy (builds included; cached images make them quick). */
  bootToHealthyMs?: number;
  seedMs?: number;
  replaysMs?: number;
  upMs?: number;
  destroyMs?: number;
}

export function phasesOf(timings: Timings, upMs: number | undefined, destroyMs: number | undefined): Phases {
  return {
    bootToHealthyMs: timings.last("container-healthy"),
    seedMs: timings.commandMs("seed-command"),
    replaysMs: timings.commandMs("replays-command"),
    upMs,
    destroyMs,
  };
}
