import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import type { ErrorCode } from '#common/contract/errors.js';
import type { RealtimeLimits, ServerConfig } from '../config.js';
import type { ChatMessage } from '#common/contract/messages.js';
import type { SessionService } from '../features/identity/session.service.js';
import { ApiError } from '../http/api-error.js';
import { clientAddressOf, trustFunction } from '../http/client-address.js';
import { sessionTokenFromCookies } from '../http/session-cookie.js';
import type { Logger } from '../platform/logger.js';
import type { DomainEvents } from '../platform/domain-events.js';
import type { RateLimiter } from '../platform/rate-limiter.js';
import { watchSocketSessions } from './session-watch.js';

export type SocketData = { userId: string; deviceId: string; sessionId: string; address: string };
/** Between the nodes of one deployment (through the Redis adapter). */
export type InterServerEvents = {
  'audience:changed': (userId: string) => void;
  /** A stored message for the local sockets of these users (the database stays the store of record). */
  'messages:deliver': (userIds: string[], message: ChatMessage) => void;
};
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const rooms = {
  user: (userId: string) => `user:${userId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  address: (address: string) => `address:${address}`,
};

const eventWindowMs = 10_000;

function refusal(code: ErrorCode, message: string): Error & { data: unknown } {
  const failure = new Error(code) as Error & { data: unknown };
  failure.data = { code, message };
  return failure;
}

/** Whether a page at `origin` is served by the host the request reached. */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export type Realtime = {
  io: RealtimeServer;
  /** Re-checks every socket of this node against its session now (also done periodically). */
  recheckSessions(): Promise<void>;
  stop(): void;
};

/**
 * socket.io on the same HTTP server. Every socket belongs to one session; when the session ends
 * (logout, a revoked or blocked device) its sockets are told why and dropped, on every node, and a
 * periodic re-check catches what a node missed (Redis down) and sessions that expired. Handshakes are
 * rate-limited per address, sockets capped per user and per address, and events counted per user
 * across all their sockets, through the shared RateLimiter (one limit for the whole cluster with Redis).
 */
export function createRealtimeServer(
  httpServer: http.Server,
  deps: {
    sessions: SessionService;
    events: DomainEvents;
    log: Logger;
    limiter: RateLimiter;
    limits: RealtimeLimits;
    trustProxy: ServerConfig['trustProxy'];
    /** Nodes share Redis: a count of sockets asks every node. */
    clustered: boolean;
  },
): Realtime {
  const { sessions, events, log, limiter, limits } = deps;
  const trust = trustFunction(deps.trustProxy);
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    // Compression costs memory per connection and breaks encode-once fan-out; presence packets are small.
    perMessageDeflate: false,
    cors: { origin: true },
    maxHttpBufferSize: 256 * 1024,
  });

  // One node counts its room's members; fetching every socket of a room made each handshake cost as
  // much as the sockets already open from that address (2,000 benchmark clients: half a minute).
  const countIn = async (room: string) => (deps.clustered ? (await io.in(room).fetchSockets()).length : (io.of('/').adapter.rooms.get(room)?.size ?? 0));

  /**
   * `auth.token` (every client but the web page), or else the web session cookie. A cookie rides along
   * on any page's WebSocket to us, so a cookie handshake must come from a page of our own host.
   */
  const handshakeToken = (socket: RealtimeSocket): string | undefined => {
    const given = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof given === 'string') return given;
    const { request } = socket;
    const cookieToken = sessionTokenFromCookies(request.headers);
    if (cookieToken === undefined) return undefined;
    const origin = request.headers.origin;
    if (origin !== undefined && !sameHost(origin, request.headers.host)) {
      throw new ApiError(403, 'forbidden', 'a socket signed in by cookie must come from this server\'s own page');
    }
    return cookieToken;
  };

  io.use(async (socket, next) => {
    const address = clientAddressOf(socket.request, trust);
    try {
      const handshakes = await limiter.hit(`socket:handshake:ip:${address}`, limits.handshakesPerAddressPerMinute, 60_000);
      if (!handshakes.allowed) return next(refusal('too_many_requests', 'too many connections opened from this address; wait a minute'));
      const auth = await sessions.authenticate(handshakeToken(socket));
      if ((await countIn(rooms.user(auth.user.id))) >= limits.socketsPerUser) {
        return next(refusal('too_many_connections', 'too many connections for this account; close another window or device'));
      }
      if ((await countIn(rooms.address(address))) >= limits.socketsPerAddress) {
        return next(refusal('too_many_connections', 'too many connections from this address'));
      }
      socket.data = { userId: auth.user.id, deviceId: auth.session.deviceId, sessionId: auth.session.id, address };
      next();
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'internal_error';
      next(refusal(code, error instanceof Error ? error.message : 'authentication failed'));
    }
  });

  io.on('connection', (socket: RealtimeSocket) => {
    const { userId, sessionId, address } = socket.data;
    void socket.join([rooms.user(userId), rooms.session(sessionId), rooms.address(address)]);
    socket.on('error', (error) => log.warn({ reason: error.message }, 'socket error'));
    // A burst of parallel handshakes all passes the count above before any joins: count again once joined.
    void Promise.all([countIn(rooms.user(userId)), countIn(rooms.address(address))])
      .then(([forUser, forAddress]) => {
        if (forUser > limits.socketsPerUser || forAddress > limits.socketsPerAddress) socket.disconnect(true);
      })
      .catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'socket count failed'));

    // One allowance per user for all their sockets, known and unknown events alike; past it, events are
    // dropped (answered when they ask for an answer), and a client that keeps going is disconnected.
    socket.use((packet, next) => {
      limiter.hit(`socket:events:user:${userId}`, limits.eventsPerUserPer10s, eventWindowMs).then(
        (decision) => {
          if (decision.allowed) return next();
          const ack = packet[packet.length - 1];
          if (typeof ack === 'function') {
            (ack as (answer: unknown) => void)({ error: { code: 'too_many_requests', message: 'slow down', retryAfter: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) } });
          }
          if (decision.count > limits.eventsPerUserPer10s * 2) socket.disconnect(true);
        },
        (error: unknown) => {
          log.warn({ reason: (error as Error).message }, 'socket event budget unavailable');
          next();
        },
      );
    });
  });

  sessions.onSessionEnded((event) => {
    const sessionRooms = event.sessionIds.map(rooms.session);
    io.to(sessionRooms).emit('session:ended', { reason: event.reason });
    io.in(sessionRooms).disconnectSockets(true);
  });

  events.on('addressBookChanged', ({ userId, sessionId, version }) => {
    io.to(rooms.user(userId)).except(rooms.session(sessionId)).emit('address-book:changed', { version });
  });

  events.on('contactsChanged', ({ userIds }) => {
    if (userIds.length > 0) io.to(userIds.map(rooms.user)).emit('contacts:changed', {});
  });
  events.on('keyExchangePending', ({ userId, sessionId, deviceId, name, platform }) => {
    io.to(rooms.user(userId)).except(rooms.session(sessionId)).emit('key-exchange:pending', { deviceId, name, platform });
  });
  events.on('keyExchangeAnswered', ({ userId, deviceId, state }) => {
    io.to(rooms.user(userId)).emit('key-exchange:answered', { deviceId, state });
  });

  const watch = watchSocketSessions({ io, sessions, log, intervalMs: limits.sessionCheckMs });
  return { io, recheckSessions: watch.checkNow, stop: watch.stop };
}
