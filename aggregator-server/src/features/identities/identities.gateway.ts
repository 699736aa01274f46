import type { DomainEvents } from '../../platform/domain-events.js';
import type { Logger } from '../../platform/logger.js';
import { rooms, type RealtimeServer } from '../../realtime/realtime-gateway.js';
import type { IdentitiesService } from './identities.service.js';

/**
 * Live identities: when a user publishes, changes or removes one, becomes visible again or changes who
 * may see them, every viewer allowed to see any of their identities gets what they now see. A user who
 * turns invisible sends an empty set to whoever could see them just before.
 */
export function attachIdentities(deps: { io: RealtimeServer; identities: IdentitiesService; events: DomainEvents; log: Logger }): { stop(): void } {
  const { io, identities, events, log } = deps;
  /** Per subject, who was last sent something (so that a viewer who lost sight is told "nothing"). */
  const lastAudience = new Map<string, Set<string>>();

  const push = async (userId: string): Promise<void> => {
    const views = await identities.viewsOfAudience(userId);
    const previous = lastAudience.get(userId) ?? new Set<string>();
    for (const viewerId of previous) {
      if (!views.has(viewerId)) io.to(rooms.user(viewerId)).emit('identities', { userId, identities: {} });
    }
    for (const [viewerId, shared] of views) io.to(rooms.user(viewerId)).emit('identities', { userId, identities: shared });
    if (views.size === 0) lastAudience.delete(userId);
    else lastAudience.set(userId, new Set(views.keys()));
    if (lastAudience.size > 100_000) lastAudience.clear();
  };
  const pushLogged = ({ userId }: { userId: string }) => {
    push(userId).catch((error: unknown) => log.error({ userId, reason: (error as Error).message }, 'identities push failed'));
  };
  const stops = [
    events.on('identitiesChanged', pushLogged),
    events.on('invisibilityChanged', pushLogged),
    events.on('audienceChanged', pushLogged),
  ];
  return { stop: () => stops.forEach((stop) => stop()) };
}
