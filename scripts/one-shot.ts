/**
 * `npm run harness [-- --stack <name>] [--only <glob>]... [--engines <pool file>]`: the one-shot
 * runner a user and CI run (scripts/one-shot/run.ts, arguments: scripts/one-shot/args.ts). Runs from the repository root (npm
 * sets it), where Pulumi.yaml and the local state backend live.
 * Env: KEEP_UP=1 (leave the stack up), REBUILD=1 (force image rebuilds), HARNESS_STACK (default
 * `harness`), PULUMI_CONFIG_PASSPHRASE[_FILE] (default: the local stack's documented passphrase),
 * HARNESS_INSTALL_PULUMI=0 (never install the official CLI when none is found).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { assertDockerReachable, dockerClient } from "../program/lib/docker-api/client";
import { LABEL_ROLE, LABEL_STACK } from "../program/lib/naming";
import { preflightLint } from "../tools/config-lint/lint";
import { findPulumiCli, installOfficialCli } from "./pulumi/engine";
import { runStackOp } from "./pulumi/stack-op";
import { runningStacks } from "./one-shot/pool";
import { runHarness } from "./one-shot/run";
import { projectOf } from "./one-shot/stack-file";
import { onTerminationSignal } from "./signals";

const docker = dockerClient();
const workDir = process.cwd();
const repoRoot = resolve(__dirname, "..");

runHarness({
  workDir,
  repoRoot,
  env: process.env,
  argv: process.argv.slice(2),
  nodeVersion: process.version,
  log: (line) => process.stderr.write(`${line}\n`),
  findPulumi: () => findPulumiCli(repoRoot, process.env),
  installPulumi: () => installOfficialCli(process.env),
  goAvailable: () => new Promise((done) => execFile("go", ["version"], (error) => done(!error))),
  pingDocker: (engine) => assertDockerReachable(engine ? dockerClient(engine) : docker, 5000, engine),
  stacksOn: (engine) => runningStacks(dockerClient(engine)),
  ownEdgeHolds: async (stack, port) => {
    const containers = await docker.listContainers({
      filters: { label: [`${LABEL_STACK}=${projectOf(workDir)}/${stack}`, `${LABEL_ROLE}=cf-proxy`] },
    });
    return containers.some((c) => c.Ports.some((p) => p.PublicPort === port));
  },
  engine: (cli, stack, env, config) => {
    const op = (o: "up" | "destroy") => (io: Parameters<typeof runStackOp>[1]) =>
      runStackOp(
        {
          op: o,
          workDir,
          stackName: stack,
          cli,
          env,
          refresh: o === "up",
          config: o === "up" ? config : undefined,
        },
        io,
      );
    return { up: op("up"), destroy: op("destroy") };
  },
  onSignal: onTerminationSignal,
  lintProduction: (stack) => preflightLint(repoRoot, stack, workDir),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[harness] internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
