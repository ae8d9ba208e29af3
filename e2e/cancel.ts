/**
 * Interrupts (Ctrl-C, SIGTERM) during an `up`: stop what is long (builds, health waits, Commands),
 * let what is short finish (a Docker API call that creates an object must land in the ledger, or
 * the object would escape the teardown), refuse to start anything new, then tear down.
 */

export class Interrupted extends Error {
  constructor(reason: string) {
    super(`interrupted (${reason})`);
    this.name = "Interrupted";
  }
}

export class Cancellation {
  private readonly controller = new AbortController();
  private readonly inflight = new Set<Promise<unknown>>();
  private why: string | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.why !== undefined;
  }

  get reason(): string | undefined {
    return this.why;
  }

  cancel(reason: string): void {
    if (this.why !== undefined) return;
    this.why = reason;
    this.controller.abort(new Interrupted(reason));
  }

  throwIfCancelled(): void {
    if (this.why !== undefined) throw new Interrupted(this.why);
  }

  /**
   * Runs `op` unless cancelled, and tracks it so teardown can wait until it settled (every object it
   * creates is then in the ledger).
   */
  run<T>(op: () => Promise<T>): Promise<T> {
    this.throwIfCancelled();
    const promise = op();
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Resolves once every tracked operation settled, or after `timeoutMs` (returns how many were left). */
  async settled(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
      ]);
    }
    return this.inflight.size;
  }
}

/** Sleeps `ms`, or rejects with the cancellation reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
