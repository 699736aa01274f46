import type { IdentityLimits, RetentionSettings } from '../../config.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { IdentityRepository, PurgeCounts } from './identity.repository.js';

/**
 * Deletes sign-in records once retention no longer keeps them (README, "Retention"): verifications and
 * tickets `codesMs` after they expired, sessions `sessionsMs` after they expired or ended, login log
 * entries `loginLogMs` after the login, password attempt counters once they would be forgotten anyway.
 * Runs at start and every `intervalMs`; on several nodes each runs it, which is harmless (plain deletes).
 */
export class RetentionPurge {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PurgeCounts | undefined> | undefined;

  constructor(
    private readonly deps: { repo: IdentityRepository; clock: Clock; retention: RetentionSettings; limits: IdentityLimits; log: Logger },
  ) {}

  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.deps.retention.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; a pass still running is joined rather than doubled. Failures are logged, never thrown. */
  runOnce(): Promise<PurgeCounts | undefined> {
    this.running ??= this.purge().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(): Promise<PurgeCounts | undefined> {
    const { repo, clock, retention, limits, log } = this.deps;
    const now = clock.now();
    try {
      const counts = await repo.purge({
        codesExpiredBefore: now - retention.codesMs,
        sessionsEndedBefore: now - retention.sessionsMs,
        loginsBefore: now - retention.loginLogMs,
        passwordAttemptsBefore: now - limits.passwordAttemptsForgetMs,
      });
      log.info({ purged: counts }, 'retention purge');
      return counts;
    } catch (error) {
      log.error({ reason: (error as Error).message }, 'retention purge failed');
      return undefined;
    }
  }
}
