/**
 * Everything a loopback topology started, in start order, so it can be stopped in reverse on every
 * path: a normal end, a failed boot half-way through, an interrupt. A stop that fails does not keep
 * the others from running; the failures are reported together at the end.
 */
export type StopFn = () => Promise<void>;

export class Teardown {
  private readonly steps: { name: string; stop: StopFn }[] = [];
  private running: Promise<void> | null = null;

  /** Registers something that was just started; it is stopped before everything started earlier. */
  add(name: string, stop: StopFn): void {
    if (this.running) {
      // Started while tearing down (a boot step finishing after an interrupt): stop it at once.
      void stop().catch(() => undefined);
      return;
    }
    this.steps.push({ name, stop });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Stops everything in reverse order. Idempotent: a second call waits for the first. */
  run(log: (line: string) => void = () => undefined): Promise<void> {
    this.running ??= (async () => {
      const failures: string[] = [];
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.stop();
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failures.push(`${step.name}: ${message}`);
          log(`[local] stopping ${step.name} failed: ${message}`);
        }
      }
      if (failures.length > 0) throw new Error(`teardown incomplete: ${failures.join("; ")}`);
    })();
    return this.running;
  }
}
