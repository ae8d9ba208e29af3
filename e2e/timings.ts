/** What happened when during an e2e `up`/destroy: the phase timings the e2e report and the bench use. */

export type TimingKind =
  "container-started" | "container-healthy" | "command-start" | "command-end" | "image-built";

export interface TimingEvent {
  kind: TimingKind;
  resource: string;
  /** Milliseconds since the timer started. */
  atMs: number;
}

export class Timings {
  readonly events: TimingEvent[] = [];
  private readonly started: number;

  constructor(private readonly now: () => number = Date.now) {
    this.started = now();
  }

  elapsed(): number {
    return this.now() - this.started;
  }

  mark(kind: TimingKind, resource: string): void {
    this.events.push({ kind, resource, atMs: this.elapsed() });
  }

  /** When the last event of `kind` happened (undefined: none). */
  last(kind: TimingKind): number | undefined {
    const times = this.events.filter((e) => e.kind === kind).map((e) => e.atMs);
    return times.length === 0 ? undefined : Math.max(...times);
  }

  /** Start-to-end of one command resource (undefined when it did not finish). */
  commandMs(resource: string): number | undefined {
    const start = this.events.find((e) => e.kind === "command-start" && e.resource === resource);
    const end = this.events.find((e) => e.kind === "command-end" && e.resource === resource);
    return start && end ? end.atMs - start.atMs : undefined;
  }
}
