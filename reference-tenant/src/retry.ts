/** Bounded retry for boot-time dependencies: postgres and redis may come up after the tenant does. */
export async function retryUntil<T>(
  what: string,
  attempt: () => Promise<T>,
  { timeoutMs, intervalMs = 100 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) {
        const reason = error instanceof Error ? error.message || error.name : String(error);
        throw new Error(
          `${what} unreachable after ${tries} attempt(s) in ${Math.round(timeoutMs / 1000)} s: ${reason}`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
