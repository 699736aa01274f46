import type { SessionService } from '../features/identity/session.service.js';
import type { Logger } from '../platform/logger.js';
import type { RealtimeServer } from './realtime-gateway.js';

/**
 * Sessions end while sockets stay open: a revocation broadcast can be lost (Redis down between nodes) and
 * expiry sends no event at all. This re-checks this node's sockets against their sessions, on a timer and
 * whenever asked (the Redis adapter reconnected), and ends those whose session is over.
 */
export function watchSocketSessions(deps: { io: RealtimeServer; sessions: SessionService; log: Logger; intervalMs: number }): {
  checkNow(): Promise<void>;
  stop(): void;
} {
  const { io, sessions, log } = deps;
  let running: Promise<void> | undefined;

  const check = async () => {
    const sockets = io.sockets.sockets;
    if (sockets.size === 0) return;
    const ended = await sessions.endedAmong([...sockets.values()].map((socket) => socket.data.sessionId));
    for (const socket of sockets.values()) {
      const reason = ended.get(socket.data.sessionId);
      if (reason === undefined) continue;
      socket.emit('session:ended', { reason });
      socket.disconnect(true);
    }
  };

  const checkNow = () => {
    running ??= check()
      .catch((error: unknown) => log.warn({ reason: (error as Error).message }, 'session re-check failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void checkNow(), deps.intervalMs);
  timer.unref();
  return { checkNow, stop: () => clearInterval(timer) };
}
