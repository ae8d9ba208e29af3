/**
 * The real Pulumi engine, driven through the Automation API with the program (program/index.ts) run
 * inline: the CLI connects back to a language server inside this process, so no Node.js language
 * host (`pulumi-language-nodejs`) is needed, and one process can run several operations (the
 * program is a function, registered afresh each time). `npm run harness`, the `pulumi` test tier and
 * the bench all go through here.
 *
 * Which CLI: `pulumi` on PATH first, then the toolchain built by `npm run pulumi:toolchain`, then an
 * official CLI the harness installed earlier (`installOfficialCli`). When the toolchain exists its
 * plugins are used (its PULUMI_HOME, no ambient plugin, no download), with any CLI; without it, the
 * CLI uses its own plugins (downloaded on first use).
 */
import {
  LocalWorkspace,
  PulumiCommand,
  type EngineEvent,
  type OpType,
  type Stack,
} from "@pulumi/pulumi/automation";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as semver from "semver";
import { harnessProgram } from "../../program/index";
import { findToolchain, toolchainCacheRoot, toolchainEnv, toolchainSpec, type Toolchain } from "./toolchain";

const sdkVersion = (
  JSON.parse(readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }
).version;

export interface PulumiCli {
  /** Directory whose `bin/pulumi` is the CLI, or undefined for `pulumi` on PATH. */
  root?: string;
  /** `pulumi version` output, e.g. `v3.276.0`. */
  version: string;
  /** Where it came from, for messages. */
  source: "PATH" | "toolchain" | "installed";
  /** The toolchain whose plugins are used, if any. */
  toolchain?: Toolchain;
  /** Environment for every CLI call (plugin selection). */
  env: Record<string, string>;
}

function versionOf(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ["version"],
      { timeout: 30_000, env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" } },
      (error, stdout) => resolve(error ? undefined : stdout.trim()),
    );
  });
}

/** The toolchain for this checkout, if it was built (undefined when the SDKs are not installed either). */
export function builtToolchain(repoRoot: string, env: NodeJS.ProcessEnv): Toolchain | undefined {
  try {
    return findToolchain(toolchainCacheRoot(env), toolchainSpec(repoRoot));
  } catch {
    return undefined;
  }
}

/** The CLI to use (see the file comment), or undefined when there is none. */
export async function findPulumiCli(
  repoRoot: string,
  env: NodeJS.ProcessEnv,
): Promise<PulumiCli | undefined> {
  const toolchain = builtToolchain(repoRoot, env);
  const plugins = toolchain ? toolchainEnv(toolchain) : {};
  const onPath = await versionOf("pulumi", env);
  if (onPath !== undefined) return { version: onPath, source: "PATH", toolchain, env: plugins };
  if (toolchain) {
    const version = await versionOf(toolchain.pulumi, env);
    if (version !== undefined)
      return { root: toolchain.dir, version, source: "toolchain", toolchain, env: plugins };
  }
  const installed = officialCliRoot(env);
  const version = await versionOf(join(installed, "bin", "pulumi"), env);
  return version === undefined ? undefined : { root: installed, version, source: "installed", env: {} };
}

/** Where `installOfficialCli` puts the CLI: the toolchain cache's sibling, by the SDK's version. */
export function officialCliRoot(env: NodeJS.ProcessEnv): string {
  return join(dirname(toolchainCacheRoot(env)), "official-cli", `v${sdkVersion}`);
}

/**
 * Installs the official CLI (the version of the @pulumi/pulumi SDK) with the Automation API's
 * installer, from get.pulumi.com: what makes `npm ci && npm run harness` enough on a machine with
 * internet. Throws with the reason (offline, refused, timed out).
 */
export async function installOfficialCli(env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      PulumiCommand.install({ root: officialCliRoot(env), version: new semver.SemVer(sdkVersion) }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface StackOptions {
  /** Holds Pulumi.yaml and Pulumi.<stack>.yaml: the repository root, or a test's scratch copy. */
  workDir: string;
  stackName: string;
  cli: PulumiCli;
  /** More environment for the CLI (passphrase, backend URL, …); wins over the plugin selection. */
  env?: Record<string, string>;
  /** The program to run inline; default the harness (program/index.ts). */
  program?: () => Promise<Record<string, unknown>>;
  /** Select only: a missing stack is an error instead of a new empty stack. */
  mustExist?: boolean;
  /** The checkout the harness program builds from (default: this one). */
  repoRoot?: string;
}

/** Creates or selects the stack (`mustExist`: selects only); operations on it run the harness program inline. */
export async function openStack(opts: StackOptions): Promise<Stack> {
  const pulumiCommand = await PulumiCommand.get({ root: opts.cli.root });
  const args = {
    stackName: opts.stackName,
    projectName: "harness",
    program: opts.program ?? (async () => harnessProgram(opts.repoRoot)),
  };
  const workspace = {
    workDir: opts.workDir,
    pulumiCommand,
    envVars: { PULUMI_SKIP_UPDATE_CHECK: "true", ...opts.cli.env, ...(opts.env ?? {}) },
  };
  // A missing stack then fails with the CLI's "no stack named … found" (StackNotFoundError).
  return opts.mustExist
    ? LocalWorkspace.selectStack(args, workspace)
    : LocalWorkspace.createOrSelectStack(args, workspace);
}

/** One resource step the engine announced: its operation and why (the properties it diffed on). */
export interface Step {
  urn: string;
  /** The resource's name (last URN segment). */
  name: string;
  type: string;
  op: OpType;
  diffs: string[];
}

/** Collects the engine's resource steps from its event stream (pass `collect.onEvent` to an operation). */
export function stepCollector(): { onEvent: (e: EngineEvent) => void; steps: Step[] } {
  const steps: Step[] = [];
  return {
    steps,
    onEvent(e) {
      const m = e.resourcePreEvent?.metadata;
      if (!m) return;
      steps.push({
        urn: m.urn,
        name: m.urn.split("::").pop() ?? m.urn,
        type: m.type,
        op: m.op,
        diffs: m.diffs ?? [],
      });
    },
  };
}

/** Plain stack outputs (secrets in the clear: callers decide what to print). */
export async function plainOutputs(stack: Stack): Promise<Record<string, unknown>> {
  const outputs = await stack.outputs();
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}
