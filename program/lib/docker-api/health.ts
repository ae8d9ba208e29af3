/**
 * Waits until Docker reports a container healthy, up to `timeoutSeconds`, polling fast (the
 * provider's own `wait` polls once a second, never stops on an exited or unhealthy container, and
 * fails after its whole timeout with a bare "container failed to be in healthy state").
 *
 * Fails at once when the container has exited or turned `unhealthy` (its retries are used up), and
 * every failure names the container and carries its last health probes and log lines.
 */
import type Docker from "dockerode";
import { setTimeout as sleep } from "node:timers/promises";
import { indent, tailLogs } from "./logs";

export interface WaitOptions {
  timeoutSeconds: number;
  signal?: AbortSignal;
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
      throw new Error(
        `container ${name} has no healthcheck: the harness waits for every container to be healthy (declare one)`,
      );
    }
    if (health.Status === "healthy") return;
    let problem: string | undefined;
    if (!state.Running) problem = `exited (code ${state.ExitCode}) before it became healthy`;
    else if (health.Status === "unhealthy") problem = "is unhealthy (its healthcheck retries are used up)";
    else if (now() >= deadline)
      problem = `did not become healthy within ${options.timeoutSeconds} s (harness:waitTimeoutSeconds)`;
    if (problem) {
      const logs = await tailLogs(container);
      throw new Error(
        `container ${name} ${problem}\n  last health probes:\n${indent(healthLog(health.Log))}\n  last log lines:\n${indent(logs)}`,
      );
    }
    // An abort ends the wait with the abort's reason (not a generic AbortError).
    await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch((error: unknown) => {
      throw options.signal?.reason ?? error;
    });
  }
}
