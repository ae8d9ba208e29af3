/**
 * `npm run harness`: the one-shot runner a user and CI run (scripts/harness/run.ts). Runs from the
 * repository root (npm sets it), where Pulumi.yaml and the local state backend live.
 * Env: KEEP_UP=1 (leave the stack up), REBUILD=1 (force image rebuilds), HARNESS_STACK (default
 * `harness`), PULUMI_CONFIG_PASSPHRASE[_FILE] (default: the local stack's documented passphrase).
 */
import { execFile } from "node:child_process";
import { assertDockerReachable, dockerClient } from "../e2e/docker-ops/client";
import { LABEL_ROLE, LABEL_STACK } from "../lib/naming";
import { pulumiRunner } from "./harness/pulumi-cli";
import { runHarness } from "./harness/run";
import { projectOf } from "./harness/stack-file";
import { onTerminationSignal } from "./signals";

function pulumiVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("pulumi", ["version"], { timeout: 30_000 }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
}

const docker = dockerClient();
const root = process.cwd();

runHarness({
  root,
  env: process.env,
  nodeVersion: process.version,
  log: (line) => process.stderr.write(`${line}\n`),
  pulumiVersion,
  pingDocker: () => assertDockerReachable(docker),
  ownEdgeHolds: async (stack, port) => {
    const containers = await docker.listContainers({
      filters: { label: [`${LABEL_STACK}=${projectOf(root)}/${stack}`, `${LABEL_ROLE}=cf-proxy`] },
    });
    return containers.some((c) => c.Ports.some((p) => p.PublicPort === port));
  },
  pulumi: (env) =>
    pulumiRunner({
      cwd: root,
      env,
      tty: process.stdout.isTTY === true,
      write: (t) => void process.stderr.write(t),
    }),
  onSignal: onTerminationSignal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[harness] internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
