import type { Logger } from '../../platform/logger.js';
import type { MessagesService } from './messages.service.js';

const hour = 60 * 60 * 1000;

/** Purges messages past MESSAGE_RETENTION_DAYS at start and every hour; every node may run it (deletes are idempotent). */
export function scheduleRetention(messages: MessagesService, log: Logger, everyMs = hour): { stop(): void } {
  const purge = () => {
    messages
      .purgeExpired()
      .then((purged) => {
        if (purged > 0) log.info({ purged }, 'expired messages purged');
      })
      .catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'message purge failed'));
  };
  purge();
  const timer = setInterval(purge, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
