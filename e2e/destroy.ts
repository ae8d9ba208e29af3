/**
 * `pulumi destroy`, from the ledger: every recorded step in reverse creation order, each with its
 * provider's delete semantics (docker-ops/). A step that fails stays in the ledger and the destroy
 * carries on (so one failure does not strand everything after it); the caller reports it.
 */
import type Docker from "dockerode";
import { runCommand, type Logging } from "./command-runner";
import { ignoreGone } from "./docker-ops/errors";
import type { Ledger, LedgerStep } from "./ledger";
import type { Log } from "./log";

export interface DestroyReport {
  destroyed: number;
  failures: string[];
  /** Volumes the destroyed containers had (checked afterwards: removeVolumes must have removed them). */
  volumes: string[];
}

export interface DestroyDeps {
  docker: Docker;
  log: Log;
}

async function destroyStep(step: LedgerStep, { docker, log }: DestroyDeps): Promise<void> {
  switch (step.kind) {
    case "container": {
      if (step.autoRemove) return;
      const container = docker.getContainer(step.id);
      // 304: already stopped.
      if (step.graceSeconds > 0) await ignoreGone(() => container.stop({ t: step.graceSeconds }), [304]);
      await ignoreGone(() => container.remove({ force: true, v: step.removeVolumes }));
      log.info(`container removed: ${step.containerName}`);
      return;
    }
    case "network":
      await ignoreGone(() => docker.getNetwork(step.id).remove());
      log.info(`network removed: ${step.networkName}`);
      return;
    case "image":
      // docker.Image's delete is a no-op: what it built stays unless the program removes it.
      return;
    case "remote-image":
      if (!step.keepLocally)
        await ignoreGone(() => docker.getImage(step.imageId).remove({ force: step.forceRemove }));
      return;
    case "command": {
      if (!step.delete) return;
      log.info(`command delete: ${step.name}`);
      const previous: Record<string, string> = step.addPreviousOutputInEnv
        ? { PULUMI_COMMAND_STDOUT: step.stdout, PULUMI_COMMAND_STDERR: step.stderr }
        : {};
      await runCommand({
        command: step.delete,
        interpreter: step.interpreter,
        dir: step.dir,
        environment: { ...step.environment, ...previous },
        stdin: step.stdin,
        logging: step.logging as Logging,
        onLine: (_s, line) => log.child(step.name, line),
      });
      return;
    }
  }
}

export async function destroyLedger(ledger: Ledger, deps: DestroyDeps): Promise<DestroyReport> {
  const report: DestroyReport = { destroyed: 0, failures: [], volumes: [] };
  for (const step of ledger.destroyOrder()) {
    if (step.kind === "container" && step.removeVolumes) report.volumes.push(...step.volumes);
    try {
      await destroyStep(step, deps);
      ledger.remove(step);
      report.destroyed++;
    } catch (error) {
      report.failures.push(`${step.type} ${step.name}: ${(error as Error).message}`);
    }
  }
  return report;
}
