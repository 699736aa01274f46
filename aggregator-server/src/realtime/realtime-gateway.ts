import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../common/contract/socket-events.js';
import type { ChatMessage } from '../../../common/contract/messages.js';
import type { SessionService } from '../features/identity/session.service.js';
import { ApiError } from '../http/api-error.js';
import type { Logger } from '../platform/logger.js';
import type { DomainEvents } from '../platform/domain-events.js';

export type SocketData = { userId: string; deviceId: string; sessionId: string };
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
};

/**
 * socket.io on the same HTTP server. Every socket belongs to one session; when the session ends
 * (logout, a revoked or blocked device) its sockets are told why and dropped, on every node.
 */
export function createRealtimeServer(httpServer: http.Server, sessions: SessionService, events: DomainEvents, log: Logger): RealtimeServer {
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    // Compression costs memory per connection and breaks encode-once fan-out; presence packets are small.
    perMessageDeflate: false,
    cors: { origin: true },
    maxHttpBufferSize: 256 * 1024,
  });

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    try {
      const auth = await sessions.authenticate(typeof token === 'string' ? token : undefined);
      socket.data = { userId: auth.user.id, deviceId: auth.session.deviceId, sessionId: auth.session.id };
      next();
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'internal_error';
      const failure = new Error(code) as Error & { data: unknown };
      failure.data = { code, message: error instanceof Error ? error.message : 'authentication failed' };
      next(failure);
    }
  });

  io.on('connection', (socket: RealtimeSocket) => {
    void socket.join([rooms.user(socket.data.userId), rooms.session(socket.data.sessionId)]);
    socket.on('error', (error) => log.warn({ reason: error.message }, 'socket error'));
  });

  sessions.onSessionEnded((event) => {
    const sessionRooms = event.sessionIds.map(rooms.session);
    io.to(sessionRooms).emit('session:ended', { reason: event.reason });
    io.in(sessionRooms).disconnectSockets(true);
  });

  events.on('addressBookChanged', ({ userId, sessionId, version }) => {
    io.to(rooms.user(userId)).except(rooms.session(sessionId)).emit('address-book:changed', { version });
  });

  return io;
}
