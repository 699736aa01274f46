import type { IdentityLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import { tooManyRequests } from '../../http/api-error.js';
import type { IdentityRepository } from './identity.repository.js';

/**
 * The per-number failure count shared by code checks and password logins. It survives new codes,
 * so asking for another SMS never buys an attacker more guesses: from `slowDownAfterFailures` each
 * further try must wait longer, and from `lockAfterFailures` the number is refused for `lockMs`.
 */
export class PhoneGuard {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly limits: IdentityLimits,
    private readonly clock: Clock,
  ) {}

  async assertMayTry(phone: string): Promise<void> {
    const record = await this.repo.getPhoneFailures(phone);
    if (!record) return;
    const now = this.clock.now();
    if (record.lockedUntil !== null && record.lockedUntil > now) {
      throw tooManyRequests('too_many_attempts', 'too many failed attempts for this number; try again later', record.lockedUntil - now);
    }
    if (record.failures >= this.limits.slowDownAfterFailures) {
      const waitMs = this.slowDownDelayMs(record.failures);
      const readyAt = record.lastFailureAt + waitMs;
      if (readyAt > now) {
        throw tooManyRequests('too_many_attempts', 'too many failed attempts for this number; wait before trying again', readyAt - now);
      }
    }
  }

  async recordFailure(phone: string): Promise<number> {
    const now = this.clock.now();
    const failures = await this.repo.recordPhoneFailure(phone, now);
    if (failures >= this.limits.lockAfterFailures) await this.repo.lockPhone(phone, now + this.limits.lockMs);
    return failures;
  }

  async recordSuccess(phone: string): Promise<void> {
    await this.repo.clearPhoneFailures(phone);
  }

  /** 1 s after the 10th failure, doubling up to 5 minutes. */
  slowDownDelayMs(failures: number): number {
    const steps = failures - this.limits.slowDownAfterFailures;
    return Math.min(1000 * 2 ** steps, 5 * 60_000);
  }
}
