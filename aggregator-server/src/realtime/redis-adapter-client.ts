import type { RedisClientType } from 'redis';
import type { Logger } from '../platform/logger.js';

/**
 * The socket.io Redis adapter publishes without waiting for the answer, so while Redis is down every
 * broadcast became an unhandled rejection that took the whole node down. The publisher given to the
 * adapter settles each publish itself: a broadcast lost in an outage is logged, and what it carried is
 * recovered by the session re-check when the adapter reconnects (presence re-publishes on its own).
 */
export function publisherForAdapter(client: RedisClientType, log: Logger): RedisClientType {
  const publish = client.publish.bind(client);
  const settled = (channel: string, message: string) =>
    publish(channel, message).catch((error: unknown) => {
      log.warn({ reason: (error as Error).message }, 'a broadcast to the other nodes was lost (Redis unavailable)');
      return 0;
    });
  return Object.assign(client, { publish: settled as unknown as RedisClientType['publish'] });
}
