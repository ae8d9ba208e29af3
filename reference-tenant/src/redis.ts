import { Redis } from "ioredis";
import { retryUntil } from "./retry";
import { redactUrl } from "./validate";

export type RedisClient = Redis;

/**
 * Connects to REDIS_URL, retrying until `timeoutMs`; boot fails with a clear message after that.
 * Each attempt uses a throwaway client that does not reconnect on its own, so the retry stays bounded.
 * The client returned afterwards reconnects forever but fails commands fast while Redis is away
 * (no offline queue): every Redis use in the tenant is best effort with a Postgres fallback.
 */
export async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  await retryUntil(
    `redis at ${redactUrl(url)} (REDIS_URL)`,
    async () => {
      const probe = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on("error", () => undefined); // surfaced through connect()/ping() below
      try {
        await probe.connect();
        await probe.ping();
      } finally {
        probe.disconnect();
      }
    },
    { timeoutMs },
  );
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  await client.connect();
  return client;
}
