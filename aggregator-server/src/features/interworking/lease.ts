import type { RedisClientType } from 'redis';
import type { Clock } from '../../platform/clock.js';
import type { InterworkingRepository } from './interworking.repository.js';

/**
 * Which node holds the component connection: exactly one at a time, for as long as it keeps renewing.
 * A holder that dies stops renewing, and another node takes over once the lease ran out.
 */
export interface Lease {
  /** Takes the lease when free, or renews it when this node holds it; true when this node holds it now. */
  hold(): Promise<boolean>;
  /** Lets go at once (a clean shutdown), so another node need not wait for it to run out. */
  release(): Promise<void>;
}

const holdScript = `
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The lease as one Redis key with an expiry, taken and renewed atomically by script. */
export class RedisLease implements Lease {
  constructor(
    private readonly redis: RedisClientType,
    private readonly key: string,
    private readonly nodeId: string,
    private readonly ttlMs: number,
  ) {}

  async hold(): Promise<boolean> {
    const answer = await this.redis.eval(holdScript, { keys: [this.key], arguments: [this.nodeId, String(this.ttlMs)] });
    return answer === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(releaseScript, { keys: [this.key], arguments: [this.nodeId] });
  }
}

/** The lease as one row, when the nodes share a database but no Redis (or a single node runs alone). */
export class DatabaseLease implements Lease {
  constructor(
    private readonly repo: InterworkingRepository,
    private readonly name: string,
    private readonly nodeId: string,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  hold(): Promise<boolean> {
    return this.repo.holdLease(this.name, this.nodeId, this.clock.now(), this.ttlMs);
  }

  release(): Promise<void> {
    return this.repo.releaseLease(this.name, this.nodeId);
  }
}
