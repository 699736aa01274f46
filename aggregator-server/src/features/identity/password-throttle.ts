import type { IdentityLimits } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import { tooManyRequests } from '../../http/api-error.js';
import type { IdentityRepository } from './identity.repository.js';

/** How often a contended counter is re-read before the attempt is answered "try again in a second". */
const maxSwapRetries = 10;

/**
 * Password sign-in throttling (rules in IdentityLimits). Attempts are counted when they START, with a
 * compare-and-set on the stored count, so a burst of parallel guesses is charged in full before a single
 * password is compared. Two counters: per (number, address), which slows one attacker early, and per
 * number from all addresses, which bounds a distributed guesser. Neither ever touches SMS-code sign-in,
 * and neither is a lock: the longest wait is `passwordMaxDelayMs`, and the owner can always sign in with
 * a code instead, which is what a stranger cannot take away.
 */
export class PasswordThrottle {
  constructor(
    private readonly deps: { repo: IdentityRepository; keyring: Keyring; limits: IdentityLimits; clock: Clock },
  ) {}

  /** Charges one attempt to both counters, or throws 429 with how long to wait. */
  async reserve(phone: string, ip: string): Promise<void> {
    const { limits } = this.deps;
    await this.reserveOn(this.pairKey(phone, ip), limits.passwordSlowDownAfterPerAddress, 'too many failed attempts from this address; wait before trying again');
    await this.reserveOn(this.phoneKey(phone), limits.passwordSlowDownAfterPerPhone, 'too many failed attempts for this number; wait, or sign in with a code');
  }

  /** The right password: both counters start over. */
  async succeeded(phone: string, ip: string): Promise<void> {
    await this.deps.repo.clearPasswordAttempts([this.pairKey(phone, ip), this.phoneKey(phone)]);
  }

  /** 1 s after the threshold, doubling up to the maximum. */
  delayMs(attempts: number, slowDownAfter: number): number {
    if (attempts < slowDownAfter) return 0;
    return Math.min(1000 * 2 ** (attempts - slowDownAfter), this.deps.limits.passwordMaxDelayMs);
  }

  private async reserveOn(keyHash: string, slowDownAfter: number, message: string): Promise<void> {
    const { repo, clock, limits } = this.deps;
    for (let attempt = 0; attempt < maxSwapRetries; attempt += 1) {
      const now = clock.now();
      const stored = await repo.getPasswordAttempts(keyHash);
      const forgotten = !stored || now - stored.lastAttemptAt >= limits.passwordAttemptsForgetMs;
      const attempts = forgotten ? 0 : stored.attempts;
      if (!forgotten) {
        const readyAt = stored.lastAttemptAt + this.delayMs(attempts, slowDownAfter);
        if (readyAt > now) throw tooManyRequests('too_many_attempts', message, readyAt - now);
      }
      if (await repo.swapPasswordAttempts(keyHash, stored?.attempts, attempts + 1, now)) return;
    }
    // Others changed the counter between every read and write: a burst is under way; it waits too.
    throw tooManyRequests('too_many_attempts', message, 1000);
  }

  /** The counters kept for a number: its own, and its pairs with the addresses it signed in from. */
  keysOf(phone: string, addresses: string[]): string[] {
    return [this.phoneKey(phone), ...addresses.map((ip) => this.pairKey(phone, ip))];
  }

  private pairKey(phone: string, ip: string): string {
    return this.deps.keyring.keyedHash('password-attempts', `pair\0${phone}\0${ip}`);
  }

  private phoneKey(phone: string): string {
    return this.deps.keyring.keyedHash('password-attempts', `phone\0${phone}`);
  }
}
