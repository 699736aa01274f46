import type { z } from 'zod';
import { clientEventSchemas, type Ack, type ServerEventPayload } from '#common/contract/socket-events.js';
import type { ErrorBody } from '#common/contract/errors.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import type { Logger } from '../../platform/logger.js';
import { EventBudget } from '../../realtime/event-budget.js';
import { rooms, type RealtimeServer, type RealtimeSocket } from '../../realtime/realtime-gateway.js';
import type { CallDevice, CallEventName, CallOutlet, CallsService, CallTarget } from './calls.service.js';

/** One call event with its payload, so each emit below is checked against the event map. */
type CallSignal = { [E in CallEventName]: { event: E; payload: ServerEventPayload<E> } }[CallEventName];

type CallClientEvent = 'call:invite' | 'call:answer' | 'call:ice' | 'call:hangup' | 'call:renegotiate';

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'invalid payload';
}

function failureOf(error: unknown, log: Logger): ErrorBody {
  if (error instanceof ApiError) return error.toBody();
  log.error({ reason: (error as Error).message }, 'call event failed');
  return { error: { code: 'internal_error', message: 'the call could not be handled; try again' } };
}

/**
 * The calls outlet over socket.io rooms: a session's room or a user's room reaches their sockets on every
 * node through the Redis adapter, so signalling needs no node-to-node messages of its own.
 */
export function socketCallOutlet(io: RealtimeServer): CallOutlet {
  const roomOf = (target: CallTarget) => ('session' in target ? rooms.session(target.session) : rooms.user(target.user));
  const online = (room: string) =>
    io
      .in(room)
      .fetchSockets()
      .then((sockets) => sockets.length > 0);
  return {
    send(targets, event, payload) {
      // One emit per distinct exception: socket.io sends a socket in several of the rooms only once.
      const byException = new Map<string | undefined, string[]>();
      for (const target of targets) {
        const except = 'exceptSocket' in target ? target.exceptSocket : undefined;
        byException.set(except, [...(byException.get(except) ?? []), roomOf(target)]);
      }
      for (const [except, targetRooms] of byException) {
        const operator = except === undefined ? io.to(targetRooms) : io.to(targetRooms).except(except);
        const signal = { event, payload } as CallSignal;
        switch (signal.event) {
          case 'call:incoming':
            operator.emit(signal.event, signal.payload);
            break;
          case 'call:answered':
            operator.emit(signal.event, signal.payload);
            break;
          case 'call:ice':
            operator.emit(signal.event, signal.payload);
            break;
          case 'call:ended':
            operator.emit(signal.event, signal.payload);
            break;
          case 'call:renegotiate':
            operator.emit(signal.event, signal.payload);
            break;
        }
      }
    },
    userOnline: (userId) => online(rooms.user(userId)),
    sessionOnline: (sessionId) => online(rooms.session(sessionId)),
    // The adapter's own rooms are this node's sockets only, also with the Redis adapter.
    sessionHere: (sessionId) => (io.of('/').adapter.rooms.get(rooms.session(sessionId))?.size ?? 0) > 0,
  };
}

/**
 * `call:invite`, `call:answer`, `call:ice`, `call:hangup`, `call:renegotiate`: parsed, then handed to the
 * service; a block made on this node ends a call between the two. Returns a stop for the server's close.
 */
export function attachCalls(deps: { io: RealtimeServer; calls: CallsService; events: DomainEvents; clock: Clock; log: Logger }): () => void {
  const { io, calls, events, clock, log } = deps;
  const offBlocked = events.on('blocked', ({ userId, otherId }) => {
    calls.blocked(userId, otherId).catch((error: unknown) => log.error({ reason: (error as Error).message }, 'could not end a call after a block'));
  });
  const handlers: { [E in CallClientEvent]: (device: CallDevice, payload: z.infer<(typeof clientEventSchemas)[E]>) => Promise<void> } = {
    'call:invite': (device, payload) => calls.invite(device, payload),
    'call:answer': (device, payload) => calls.answer(device, payload),
    'call:ice': (device, payload) => calls.ice(device, payload),
    'call:hangup': (device, payload) => calls.hangup(device, payload),
    'call:renegotiate': (device, payload) => calls.renegotiate(device, payload),
  };

  io.on('connection', (socket: RealtimeSocket) => {
    const device: CallDevice = { userId: socket.data.userId, sessionId: socket.data.sessionId, socketId: socket.id };
    // ICE candidates come in bursts of a few dozen per call; this only stops a runaway client.
    const budget = new EventBudget(300, clock);
    const listener =
      <E extends CallClientEvent>(event: E) =>
      (payload: unknown, ack: unknown): void => {
        const reply = typeof ack === 'function' ? (ack as (answer: Ack) => void) : () => undefined;
        if (!budget.take()) return reply({ error: { code: 'rate_limited', message: 'slow down' } });
        const parsed = clientEventSchemas[event].safeParse(payload);
        if (!parsed.success) return reply({ error: { code: 'validation_failed', message: describe(parsed.error) } });
        const handler = handlers[event] as (device: CallDevice, payload: unknown) => Promise<void>;
        handler(device, parsed.data).then(
          () => reply({ ok: true }),
          (error: unknown) => reply(failureOf(error, log)),
        );
      };
    socket.on('call:invite', listener('call:invite'));
    socket.on('call:answer', listener('call:answer'));
    socket.on('call:ice', listener('call:ice'));
    socket.on('call:hangup', listener('call:hangup'));
    socket.on('call:renegotiate', listener('call:renegotiate'));
    socket.on('disconnect', () => calls.sessionDisconnected(socket.data.sessionId));
    calls.sessionConnected(device).catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'could not look up the call of a connecting device'));
  });
  return offBlocked;
}
