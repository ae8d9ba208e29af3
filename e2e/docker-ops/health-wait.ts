/**
 * `wait: true` on a docker.Container: block until Docker reports the container healthy, up to
 * `waitTimeout` seconds. The provider polls once a second and, on timeout, fails with "container
 * failed to be in healthy state in time".
 *
 * Deviation (earlier, clearer failure; same outcome): when the container has exited or turned
 * `unhealthy` (its retries are used up), the driver fails at once instead of waiting out the timeout,
 * and every failure carries the container's last log lines and health probe results.
 */
import type Docker from "dockerode";
import { sleep } from "../cancel";
import { indent, tailLogs } from "./logs";

export interface WaitOptions {
  timeoutSeconds: number;
  signal: AbortSignal;
  pollMs?: number;
  now?: () => number;
}

interface HealthLogEntry {
  ExitCode?: number;
  Output?: string;
}

function healthLog(entries: HealthLogEntry[] | undefined): string {
  const last = (entries ?? []).slice(-3);
  if (last.length === 0) return "(no probe ran yet)";
  return last
    .map((e) => `exit ${e.ExitCode}: ${(e.Output ?? "").trim().slice(0, 300) || "(no output)"}`)
    .join("\n");
}

export async function waitHealthy(
  container: Docker.Container,
  name: string,
  options: WaitOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutSeconds * 1000;
  for (;;) {
    const info = await container.inspect();
    const state = info.State as Docker.ContainerInspectInfo["State"] & {
      Health?: { Status: string; Log?: HealthLogEntry[] };
    };
    const health = state.Health;
    if (!health) {
      throw new Error(`container ${name} has no healthcheck, but wait: true needs one (declare healthcheck)`);
    }
    if (health.Status === "healthy") return;
    let problem: string | undefined;
    if (!state.Running) problem = `exited (code ${state.ExitCode}) before it became healthy`;
    else if (health.Status === "unhealthy") problem = "is unhealthy (its healthcheck retries are used up)";
    else if (now() >= deadline)
      problem = `failed to be in healthy state in time (waitTimeout ${options.timeoutSeconds} s)`;
    if (problem) {
      const logs = await tailLogs(container);
      throw new Error(
        `container ${name} ${problem}\n  last health probes:\n${indent(healthLog(health.Log))}\n  last log lines:\n${indent(logs)}`,
      );
    }
    await sleep(options.pollMs ?? 1000, options.signal);
  }
}
