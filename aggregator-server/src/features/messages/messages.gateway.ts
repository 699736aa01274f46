import type { z } from 'zod';
import { messageCursorPayload, messageSendPayload, wantsOwnEcho, type ChatMessage, type MessageCursorPayload } from '#common/contract/messages.js';
import type { Ack } from '#common/contract/socket-events.js';
import type { ErrorBody } from '#common/contract/errors.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import { EventBudget } from '../../realtime/event-budget.js';
import { rooms, type RealtimeServer, type RealtimeSocket } from '../../realtime/realtime-gateway.js';
import type { MessageOutlet, MessagesService } from './messages.service.js';
import type { CursorKind } from './messages.repository.js';

/**
 * One socket's stream of messages. Live messages that arrive while the backlog is being replayed wait
 * behind it, so a device receives each conversation in order and may acknowledge every message as it
 * arrives without skipping one still in the backlog.
 */
class DeviceStream {
  private pending: ChatMessage[] | undefined;
  private readonly replayed = new Set<string>();

  constructor(readonly socket: RealtimeSocket) {}

  /** Starts a replay (at connect, or a catch-up); false when one is running already. */
  beginReplay(): boolean {
    if (this.pending) return false;
    this.pending = [];
    return true;
  }

  replay(message: ChatMessage): void {
    this.replayed.add(message.id);
    this.socket.emit('message', message);
  }

  live(message: ChatMessage): void {
    if (this.pending) this.pending.push(message);
    else this.socket.emit('message', message);
  }

  replayDone(): void {
    const waiting = this.pending ?? [];
    this.pending = undefined;
    for (const message of waiting) if (!this.replayed.has(message.id)) this.socket.emit('message', message);
    this.replayed.clear();
  }
}

/**
 * One device's cursor moves: while one is being stored for a conversation, later ones wait and go as one
 * (the highest), since a cursor only moves forward and the highest covers the others. A device that
 * acknowledges message by message under load then costs one statement per round trip, not per message.
 */
class CursorBatches {
  private readonly running = new Set<string>();
  private readonly waiting = new Map<string, { upTo: number; done: { resolve: () => void; reject: (error: unknown) => void }[] }>();

  constructor(private readonly store: (kind: CursorKind, payload: MessageCursorPayload) => Promise<void>) {}

  move(kind: CursorKind, payload: MessageCursorPayload): Promise<void> {
    const key = `${kind} ${payload.conversationId}`;
    return new Promise((resolve, reject) => {
      if (!this.running.has(key)) return this.run(key, kind, payload, [{ resolve, reject }]);
      const batch = this.waiting.get(key);
      if (batch) {
        batch.upTo = Math.max(batch.upTo, payload.upTo);
        batch.done.push({ resolve, reject });
      } else this.waiting.set(key, { upTo: payload.upTo, done: [{ resolve, reject }] });
    });
  }

  private run(key: string, kind: CursorKind, payload: MessageCursorPayload, done: { resolve: () => void; reject: (error: unknown) => void }[]): void {
    this.running.add(key);
    this.store(kind, payload)
      .then(
        () => done.forEach((d) => d.resolve()),
        (error: unknown) => done.forEach((d) => d.reject(error)),
      )
      .finally(() => {
        this.running.delete(key);
        const next = this.waiting.get(key);
        if (!next) return;
        this.waiting.delete(key);
        this.run(key, kind, { conversationId: payload.conversationId, upTo: next.upTo }, next.done);
      });
  }
}

function failureOf(error: unknown, log: Logger): ErrorBody {
  if (error instanceof ApiError) return error.toBody();
  log.error({ reason: (error as Error).message }, 'message event failed');
  return { error: { code: 'internal_error', message: 'the message could not be handled; try again' } };
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'invalid payload';
}

/**
 * `message:send`, `message:ack`, `message:read`, and the replay of unacknowledged messages right after
 * connect. A socket is registered for live messages first and reads the database second, so nothing
 * stored in between slips through. Answers the outlet the service sends through: a stored message goes
 * to this node's sockets and, when nodes share Redis, as a notice to the others; a lost notice costs
 * nothing but latency, since the device reads what it missed from the database when it reconnects.
 */
export function attachMessages(deps: {
  io: RealtimeServer;
  messages: MessagesService;
  clustered: boolean;
  clock: Clock;
  log: Logger;
}): MessageOutlet & { catchUp(): void } {
  const { io, messages, clock, log } = deps;
  const streams = new Map<string, Set<DeviceStream>>();

  type Connection = { stream: DeviceStream; device: { userId: string; deviceId: string }; ownEcho: boolean };
  const streamsBySocket = new Map<string, Connection>();
  const replay = ({ stream, device, ownEcho }: Connection) => {
    if (!stream.beginReplay()) return;
    messages
      .replayUndelivered(device, (message) => stream.replay(message), !ownEcho)
      .catch((error: unknown) => log.error({ reason: (error as Error).message }, 'message replay failed'))
      .finally(() => stream.replayDone());
  };

  const deliverHere = (userIds: string[], message: ChatMessage, except?: string) => {
    for (const userId of userIds) for (const stream of streams.get(userId) ?? []) if (stream.socket.id !== except) stream.live(message);
  };
  io.on('messages:deliver', deliverHere);

  io.on('connection', (socket: RealtimeSocket) => {
    const device = { userId: socket.data.userId, deviceId: socket.data.deviceId };
    const stream = new DeviceStream(socket);
    const mine = streams.get(device.userId) ?? new Set<DeviceStream>();
    mine.add(stream);
    streams.set(device.userId, mine);
    socket.on('disconnect', () => {
      mine.delete(stream);
      if (mine.size === 0 && streams.get(device.userId) === mine) streams.delete(device.userId);
    });

    // A connection that keeps its own messages from the send's answer gets them neither live nor in its backlog.
    const connection: Connection = { stream, device, ownEcho: wantsOwnEcho(socket.handshake.auth) };
    streamsBySocket.set(socket.id, connection);
    socket.on('disconnect', () => streamsBySocket.delete(socket.id));
    replay(connection);

    const budget = new EventBudget(200, clock);
    socket.on('message:send', (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (answer: unknown) => void) : () => undefined;
      if (!budget.take()) return reply({ error: { code: 'rate_limited', message: 'slow down' } });
      const parsed = messageSendPayload.safeParse(payload);
      if (!parsed.success) return reply({ error: { code: 'validation_failed', message: describe(parsed.error) } });
      messages.send(connection.ownEcho ? device : { ...device, socketId: socket.id }, parsed.data).then(reply, (error: unknown) => reply(failureOf(error, log)));
    });

    const cursors = new CursorBatches((kind, payload) => messages.moveCursor(kind, device, payload));
    for (const [event, kind] of [
      ['message:ack', 'delivered'],
      ['message:read', 'read'],
    ] as const) {
      socket.on(event, (payload: unknown, ack: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (answer: Ack) => void) : () => undefined;
        if (!budget.take()) return reply({ error: { code: 'rate_limited', message: 'slow down' } });
        const parsed = messageCursorPayload.safeParse(payload);
        if (!parsed.success) return reply({ error: { code: 'validation_failed', message: describe(parsed.error) } });
        cursors.move(kind, parsed.data).then(
          () => reply({ ok: true }),
          (error: unknown) => reply(failureOf(error, log)),
        );
      });
    }
  });

  return {
    /** Every local device reads what it missed from the database (after Redis was away: notices may be lost). */
    catchUp() {
      for (const connection of streamsBySocket.values()) replay(connection);
    },
    deliver(userIds, message, except) {
      deliverHere(userIds, message, except);
      if (deps.clustered) io.serverSideEmit('messages:deliver', userIds, message);
    },
    conversationChanged(userIds, conversationId) {
      if (userIds.length === 0) return;
      if (deps.clustered) io.to(userIds.map(rooms.user)).emit('conversation:changed', { conversationId });
      else for (const userId of userIds) for (const stream of streams.get(userId) ?? []) stream.socket.emit('conversation:changed', { conversationId });
    },
    receipt(userIds, event) {
      if (userIds.length === 0) return;
      if (deps.clustered) io.to(userIds.map(rooms.user)).emit('receipt', event);
      // One node: straight to the sockets, without the adapter's room lookup and packet copies per event.
      else for (const userId of userIds) for (const stream of streams.get(userId) ?? []) stream.socket.emit('receipt', event);
    },
    async online(userId) {
      if ((streams.get(userId)?.size ?? 0) > 0) return true;
      if (!deps.clustered) return false;
      // Without an answer from the other nodes (Redis away) the message counts as stored: it is, either way.
      return io
        .in(rooms.user(userId))
        .fetchSockets()
        .then((sockets) => sockets.length > 0)
        .catch(() => false);
    },
  };
}
