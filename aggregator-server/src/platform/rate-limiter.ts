import type { RedisClientType } from 'redis';
import type { Clock } from './clock.js';

export type RateDecision = { allowed: boolean; count: number; retryAfterMs: number };

/** Fixed-window counters. Keys name what is limited, e.g. `sms:phone:+8613800138000`. */
export interface RateLimiter {
  /** Counts `amount` (default 1) against the key's current window. */
  hit(key: string, limit: number, windowMs: number, amount?: number): Promise<RateDecision>;
}

function decide(count: number, limit: number, windowStart: number, windowMs: number, now: number): RateDecision {
  return { allowed: count <= limit, count, retryAfterMs: count <= limit ? 0 : windowStart + windowMs - now };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async hit(key: string, limit: number, windowMs: number, amount = 1): Promise<RateDecision> {
    const now = this.clock.now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const slot = `${key}@${windowStart}`;
    const entry = this.windows.get(slot) ?? { count: 0, expiresAt: windowStart + windowMs };
    entry.count += amount;
    this.windows.set(slot, entry);
    if (this.windows.size > 50_000) this.sweep(now);
    return decide(entry.count, limit, windowStart, windowMs, now);
  }

  private sweep(now: number): void {
    for (const [slot, entry] of this.windows) if (entry.expiresAt <= now) this.windows.delete(slot);
  }
}

/**
 * The same counters in Redis, so every node of a cluster enforces one shared limit. Keys name phone
 * numbers and addresses, so Redis only ever sees a keyed hash of them (`hashKey`, keyed with the server
 * secret): a dump of Redis reveals nothing. The kind of counter (the part before the first ":") stays
 * readable for operators.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisClientType,
    private readonly clock: Clock,
    private readonly hashKey: (key: string) => string,
    private readonly prefix = 'sb:rl:',
  ) {}

  async hit(key: string, limit: number, windowMs: number, amount = 1): Promise<RateDecision> {
    const now = this.clock.now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const kind = key.slice(0, Math.max(0, key.indexOf(':')));
    const slot = `${this.prefix}${kind}:${this.hashKey(key)}@${windowStart}`;
    const [count] = (await this.redis.multi().incrBy(slot, amount).pExpire(slot, windowMs + 1000).exec()) as unknown as [number, number];
    return decide(Number(count), limit, windowStart, windowMs, now);
  }
}
