/**
 * Per-client-IP fixed-window limiter (RATE_LIMIT requests per minute). The key is the TCP peer:
 * forwarded headers are not trusted, so behind the edge every request shares the edge's IP —
 * which is why the harness sets RATE_LIMIT=1000. State lives in the instance, one per app.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (≥ 1). */
  resetInSeconds: number;
  /** Unix time (seconds) at which the window resets. */
  resetAt: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    const resetMs = window.start + this.windowMs;
    return {
      allowed: window.count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetInSeconds: Math.max(1, Math.ceil((resetMs - now) / 1000)),
      resetAt: Math.ceil(resetMs / 1000),
    };
  }

  // Drop expired windows at most once per window, so memory follows the number of recent clients.
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
  }
}

export function rateLimitHook(limiter: RateLimiter) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const decision = limiter.take(request.ip);
    reply.header("X-RateLimit-Limit", String(decision.limit));
    reply.header("X-RateLimit-Remaining", String(decision.remaining));
    reply.header("X-RateLimit-Reset", String(decision.resetAt));
    if (decision.allowed) return undefined;
    reply.header("Retry-After", String(decision.resetInSeconds));
    return reply.code(429).send({ error: "rate limit exceeded", retry_after: decision.resetInSeconds });
  };
}
