/**
 * The `pulumi` tier's fixture: real stacks on the real engine (the CLI and plugins from
 * `npm run pulumi:toolchain`), the program run inline, the real Docker engine with the local base
 * images, each stack in a scratch work dir with its own file backend (scripts/pulumi/scratch.ts), so
 * nothing in the checkout changes.
 *
 * Assertions read the engine's own account of what it did: the resource steps it announced
 * (`Step.op`: same, create, update, replace, delete, …), not timings.
 */
import Docker from "dockerode";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { describeLabelled, findLabelled } from "../../program/lib/docker-api/labelled";
import { findPulumiCli, type PulumiCli, type Step } from "../../scripts/pulumi/engine";
import { scratchStack } from "../../scripts/pulumi/scratch";
import type { StackOpIo, StackOpResult } from "../../scripts/pulumi/stack-op";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const PASSPHRASE = "harness-local-only";
export const docker = new Docker();

/** The toolchain's CLI and plugins; the tier fails (never skips) without them. */
export async function toolchainCli(): Promise<PulumiCli> {
  const cli = await findPulumiCli(REPO_ROOT, { ...process.env, PATH: "/nonexistent" });
  if (!cli?.toolchain) {
    throw new Error(
      "the `pulumi` tier needs the toolchain: run `npm run pulumi:toolchain` (Go ≥ 1.26) first",
    );
  }
  return cli;
}

/** The e2e stack's config (local base images, free ports, classic builder) with `overrides`. */
export function e2eConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const file = parse(readFileSync(join(REPO_ROOT, "Pulumi.e2e.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  return { ...file.config, ...overrides };
}

export interface TestStack {
  name: string;
  workDir: string;
  /** `harness.stack` label value of its Docker objects. */
  label: string;
  setConfig(config: Record<string, unknown>): void;
  /** Each operation throws (with its `steps` and `output`) when the engine reports a failure. */
  up(opts?: { expectNoChanges?: boolean; refresh?: boolean }, io?: StackOpIo): Promise<StackOpResult>;
  preview(): Promise<StackOpResult>;
  destroy(): Promise<StackOpResult>;
  /** Plain values. */
  outputs(): Promise<Record<string, unknown>>;
  /** Which outputs are secret. */
  secretOutputs(): Promise<string[]>;
  dispose(): Promise<void>;
}

export type Run = StackOpResult;

let counter = 0;

/** A fresh stack named `t<pid>-<n>-<suffix>` with the e2e config plus `config`. */
export async function testStack(
  suffix: string,
  config: Record<string, unknown> = {},
  programModule?: string,
): Promise<TestStack> {
  const name = `t${process.pid}-${counter++}-${suffix}`;
  const scratch = scratchStack({
    repoRoot: REPO_ROOT,
    name,
    cli: await toolchainCli(),
    config: e2eConfig(config),
    passphrase: PASSPHRASE,
    programModule,
  });
  const must = async (result: Promise<StackOpResult>): Promise<StackOpResult> => {
    const r = await result;
    if (!r.ok)
      throw Object.assign(new Error(r.error ?? "the operation failed"), { steps: r.steps, output: r.output });
    return r;
  };
  const outputs = async () => (await must(scratch.run("outputs"))).outputs ?? {};
  return {
    name,
    workDir: scratch.workDir,
    label: `harness/${name}`,
    setConfig: (c) => scratch.setConfig(e2eConfig(c)),
    up: (opts = {}, io = {}) => must(scratch.run("up", opts, io)),
    preview: () => must(scratch.run("preview")),
    destroy: () => must(scratch.run("destroy")),
    outputs: async () => Object.fromEntries(Object.entries(await outputs()).map(([k, v]) => [k, v.value])),
    secretOutputs: async () =>
      Object.entries(await outputs())
        .filter(([, v]) => v.secret)
        .map(([k]) => k)
        .sort(),
    dispose: () => scratch.dispose(),
  };
}

/** Steps that changed something (not `same`, a read or a refresh), as `op name` strings, sorted. */
export function changes(steps: Step[]): string[] {
  return steps
    .filter((s) => !["same", "read", "refresh"].includes(s.op) && !s.type.startsWith("pulumi:"))
    .map((s) => `${s.op} ${s.name}`)
    .sort();
}

/** The resource names that got `op` (components excluded: they have no operations of their own). */
export function named(steps: Step[], op: Step["op"]): string[] {
  return [
    ...new Set(steps.filter((s) => s.op === op && !s.type.startsWith("harness:")).map((s) => s.name)),
  ].sort();
}

/** Every Docker object labelled for the stack: containers (any state), networks, images, volumes. */
export async function labelled(label: string): Promise<string[]> {
  return describeLabelled(await findLabelled(docker, label));
}

/**
 * A copy of the replays directory a test may edit. It sits at the repository's top level (git-ignored
 * `.engine-test-*`), so the replays' relative imports (`../runner/api`, `../_curl.sh`) still resolve.
 */
export function copyReplays(): { dir: string; dispose: () => void } {
  const dir = join(REPO_ROOT, `.engine-test-replays-${process.pid}-${counter++}`);
  cpSync(join(REPO_ROOT, "replays"), dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
