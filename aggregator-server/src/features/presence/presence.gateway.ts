import type { z } from 'zod';
import {
  presenceScopePayload,
  presenceSetPayload,
  typingPayload,
  type Ack,
  type PresenceEvent,
} from '#common/contract/socket-events.js';
import type { ErrorCode } from '#common/contract/errors.js';
import { looksLikeOutsideAddress } from '#common/contract/interworking.js';
import type { Clock } from '../../platform/clock.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import type { Logger } from '../../platform/logger.js';
import type { RealtimeServer, RealtimeSocket } from '../../realtime/realtime-gateway.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { ConnectionState } from './presence.store.js';
import { presenceRooms, type PresenceOutlet, type PresenceService } from './presence.service.js';

function failure(code: ErrorCode, message: string): Ack {
  return { error: { code, message } };
}

export function socketOutlet(io: RealtimeServer): PresenceOutlet {
  return {
    toRooms: (rooms: string[], event: PresenceEvent) => io.to(rooms).emit('presence', event),
    toLocalRooms: (rooms: string[], event: PresenceEvent) => io.local.to(rooms).emit('presence', event),
  };
}

/**
 * Wires presence into socket.io: connect and disconnect, `presence:set`, `presence:scope`, `typing`.
 * The event allowance is per user, in the realtime gateway.
 */
export function attachPresence(deps: {
  io: RealtimeServer;
  presence: PresenceService;
  privacy: PrivacyService;
  events: DomainEvents;
  clock: Clock;
  graceMs: number;
  /** Other nodes share this server's rooms (Redis adapter): audience changes must reach them too. */
  clustered: boolean;
  log: Logger;
  /** Typing to an outside address (M28) goes to its network through the bridge. */
  outsideTyping?: (userId: string, address: string, state: 'typing' | 'paused') => void;
}): { stop(): void } {
  const { io, presence, events, clock, log } = deps;
  const live = new Map<string, ConnectionState>();
  const viewersHere = new Map<string, number>();

  const guarded = (what: string, task: () => Promise<unknown>) => {
    task().catch((error: unknown) => log.error({ reason: (error as Error).message, what }, 'presence task failed'));
  };

  io.on('connection', (socket: RealtimeSocket) => {
    const { userId, deviceId } = socket.data;
    const connection: ConnectionState = { id: socket.id, userId, deviceId, apps: {} };
    live.set(socket.id, connection);
    viewersHere.set(userId, (viewersHere.get(userId) ?? 0) + 1);
    void socket.join(presenceRooms.roster(userId));
    guarded('connect', async () => {
      await presence.connect(connection);
      for (const event of await presence.snapshotFor(userId)) socket.emit('presence', event);
    });

    socket.on('presence:set', (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: Ack) => void) : () => undefined;
      const parsed = presenceSetPayload.safeParse(payload);
      if (!parsed.success) return reply(failure('validation_failed', describe(parsed.error)));
      presence
        .update(socket.id, parsed.data)
        .then((updated) => {
          if (updated) live.set(socket.id, updated);
          reply({ ok: true });
        })
        .catch((error: unknown) => {
          log.error({ reason: (error as Error).message }, 'presence:set failed');
          reply(failure('internal_error', 'presence could not be saved'));
        });
    });

    socket.on('presence:scope', (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: Ack) => void) : () => undefined;
      const parsed = presenceScopePayload.safeParse(payload);
      if (!parsed.success) return reply(failure('validation_failed', describe(parsed.error)));
      const scope = parsed.data;
      guarded('scope', async () => {
        for (const room of socket.rooms) if (room.startsWith('focus:') || room.startsWith('roster:')) await socket.leave(room);
        const users = scope.mode === 'conversations' ? scope.users : undefined;
        if (users === undefined) await socket.join(presenceRooms.roster(userId));
        else await socket.join(users.map((subjectId) => presenceRooms.focus(userId, subjectId)));
        const snapshot = await presence.snapshotFor(userId, users);
        reply({ ok: true });
        for (const event of snapshot) socket.emit('presence', event);
      });
    });

    socket.on('typing', (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: Ack) => void) : () => undefined;
      const parsed = typingPayload.safeParse(payload);
      if (!parsed.success) return reply(failure('validation_failed', describe(parsed.error)));
      if (looksLikeOutsideAddress(parsed.data.to)) {
        deps.outsideTyping?.(userId, parsed.data.to, parsed.data.state);
        return reply({ ok: true });
      }
      guarded('typing', async () => {
        // The answer is the same whether or not the typing is delivered: a different one for a block would
        // tell anyone who blocked them.
        if (await presence.typingReaches(userId, parsed.data.to)) {
          // Typing state travels only to sockets watching their open conversations, and only the one with the sender.
          io.to(presenceRooms.focus(parsed.data.to, userId)).emit('typing', { from: userId, state: parsed.data.state, at: new Date(clock.now()).toISOString() });
        }
        reply({ ok: true });
      });
    });

    socket.on('disconnect', () => {
      live.delete(socket.id);
      const remaining = (viewersHere.get(userId) ?? 1) - 1;
      if (remaining <= 0) {
        viewersHere.delete(userId);
        presence.forgetViewer(userId);
      } else viewersHere.set(userId, remaining);
      guarded('disconnect', () => presence.disconnect(socket.id));
    });
  });

  io.on('audience:changed', (userId: string) => guarded('audience', () => presence.audienceChanged(userId)));
  const offAudience = events.on('audienceChanged', ({ userId }) => {
    if (deps.clustered) io.serverSideEmit('audience:changed', userId);
    guarded('audience', async () => {
      await presence.audienceChanged(userId);
      await presence.publish(userId, true);
    });
  });

  const heartbeat = setInterval(() => guarded('heartbeat', () => presence.heartbeat([...live.values()])), Math.max(100, deps.graceMs / 3));
  const sweeper = setInterval(() => guarded('sweep', () => presence.sweep()), Math.max(100, Math.min(1000, deps.graceMs / 4)));
  return {
    stop() {
      clearInterval(heartbeat);
      clearInterval(sweeper);
      offAudience();
    },
  };
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'invalid payload';
}
