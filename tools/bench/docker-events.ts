/**
 * Docker's own record of when each harness container was created, started and turned healthy: one
 * subscription to the engine's events API for the whole bench (containers labelled `harness.stack`,
 * of any stack; the timeline picks a stack and a time window). Each event carries the engine's
 * nanosecond clock (`timeNano`), on the same machine as the bench's wall clock. A broken stream is a
 * `problem`, never a crash: the timeline then has no container rows.
 */
import type Docker from "dockerode";
import { LABEL_STACK } from "../../program/lib/naming";

/** One container event: epoch ms (fractional), Docker's action, the container's name and labels. */
export interface ContainerEvent {
  at: number;
  /** `create`, `start`, `health_status: healthy`, `health_status: unhealthy`, `die`, `destroy`. */
  action: string;
  /** Docker name, without the leading slash. */
  name: string;
  labels: Record<string, string>;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Docker's raw event → ours (pure); undefined for anything that is not a container event. */
export function containerEvent(raw: RawEvent): ContainerEvent | undefined {
  const action = raw.Action ?? raw.status;
  if ((raw.Type !== undefined && raw.Type !== "container") || !action) return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  const at = raw.timeNano !== undefined ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000;
  const labels = { ...attributes };
  delete labels.name;
  delete labels.image;
  return { at, action, name: attributes.name ?? "", labels };
}

export const WATCHED_ACTIONS = ["create", "start", "health_status", "die", "destroy"];

export class DockerEventLog {
  readonly events: ContainerEvent[] = [];
  problem?: string;
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };

  /** Subscribes; resolves once the engine accepted the subscription. */
  async start(docker: Docker): Promise<void> {
    try {
      const stream = (await docker.getEvents({
        filters: { type: ["container"], event: WATCHED_ACTIONS, label: [LABEL_STACK] },
      })) as NodeJS.ReadableStream & { destroy?: () => void };
      this.stream = stream;
      let pending = "";
      stream.on("data", (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          if (line.trim() === "") continue;
          try {
            const event = containerEvent(JSON.parse(line) as RawEvent);
            if (event) this.events.push(event);
          } catch {
            // A line that is not JSON is not an event.
          }
        }
      });
      stream.on("error", (error: Error) => {
        this.problem ??= `the Docker events stream failed: ${error.message}`;
      });
    } catch (error) {
      this.problem = `cannot subscribe to Docker events: ${(error as Error).message.split("\n")[0]}`;
    }
  }

  /** Events of one stack (`harness.stack` label value) between two wall-clock instants (epoch ms). */
  between(label: string, from: number, to: number): ContainerEvent[] {
    return this.events.filter((e) => e.labels[LABEL_STACK] === label && e.at >= from && e.at <= to);
  }

  stop(): void {
    try {
      this.stream?.destroy?.();
    } catch {
      // Already closed.
    }
  }
}
