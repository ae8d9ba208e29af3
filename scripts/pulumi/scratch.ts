/**
 * A stack in a scratch directory: a work dir holding only Pulumi.yaml (without `main` — the program
 * runs inline — and without `backend`) and the stack file, and a file backend beside it. Nothing in
 * the checkout changes. The `pulumi` test tier and the bench use it; operations run through
 * scripts/pulumi/stack-op.ts; `dispose` removes the stack and both directories.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { PulumiCli } from "./engine";
import {
  runStackOp,
  type StackOp,
  type StackOpIo,
  type StackOpRequest,
  type StackOpResult,
} from "./stack-op";

export interface ScratchStack {
  name: string;
  workDir: string;
  /** Replaces the stack file's `config`, keeping what the CLI wrote (the secrets' encryption salt). */
  setConfig(config: Record<string, unknown>): void;
  run(
    op: StackOp,
    options?: Pick<StackOpRequest, "expectNoChanges" | "refresh">,
    io?: StackOpIo,
  ): Promise<StackOpResult>;
  /** Removes the stack, the work dir and the backend (after destroy). */
  dispose(): Promise<void>;
}

export function scratchStack(opts: {
  repoRoot: string;
  name: string;
  cli: PulumiCli;
  config: Record<string, unknown>;
  passphrase: string;
  /** A module exporting `program`, run instead of the harness. */
  programModule?: string;
}): ScratchStack {
  const scratch = mkdtempSync(join(tmpdir(), `harness-stack-${opts.name}-`));
  const workDir = join(scratch, "work");
  const backend = join(scratch, "state");
  mkdirSync(workDir);
  mkdirSync(backend);
  const project = parse(readFileSync(join(opts.repoRoot, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  delete project.main;
  delete project.backend;
  writeFileSync(join(workDir, "Pulumi.yaml"), stringify(project));
  const stackFile = join(workDir, `Pulumi.${opts.name}.yaml`);
  const setConfig = (config: Record<string, unknown>) => {
    const current = existsSync(stackFile) ? ((parse(readFileSync(stackFile, "utf8")) ?? {}) as object) : {};
    writeFileSync(stackFile, stringify({ ...current, config }));
  };
  setConfig(opts.config);
  const run: ScratchStack["run"] = (op, options = {}, io = {}) =>
    runStackOp(
      {
        op,
        workDir,
        stackName: opts.name,
        cli: opts.cli,
        env: { PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: opts.passphrase },
        programModule: opts.programModule,
        ...options,
      },
      io,
    );
  return {
    name: opts.name,
    workDir,
    setConfig,
    run,
    async dispose() {
      await run("remove");
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
