/**
 * Runs items in order. With concurrency > 1, consecutive items marked independent share a pool of
 * that size; any other item waits until the pool is empty and then runs alone, so a replay that is
 * not declared independent never overlaps another replay.
 */
export interface ScheduleOptions<T> {
  concurrency: number;
  independent: (item: T) => boolean;
  run: (item: T, index: number) => Promise<void>;
  /** Checked before starting each item; true stops starting new ones. */
  stopped?: () => boolean;
}

/** Returns the indexes that were started. */
export async function schedule<T>(items: readonly T[], options: ScheduleOptions<T>): Promise<Set<number>> {
  const started = new Set<number>();
  const running = new Set<Promise<void>>();
  for (const [index, item] of items.entries()) {
    if (options.stopped?.()) break;
    if (options.concurrency <= 1 || !options.independent(item)) {
      await Promise.all(running);
      if (options.stopped?.()) break;
      started.add(index);
      await options.run(item, index);
      continue;
    }
    while (running.size >= options.concurrency) await Promise.race(running);
    if (options.stopped?.()) break;
    started.add(index);
    const promise: Promise<void> = options.run(item, index).finally(() => running.delete(promise));
    running.add(promise);
  }
  await Promise.all(running);
  return started;
}
