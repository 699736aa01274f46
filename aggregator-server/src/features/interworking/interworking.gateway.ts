import { rooms, type RealtimeServer, type RealtimeSocket } from '../../realtime/realtime-gateway.js';
import type { Logger } from '../../platform/logger.js';
import type { InterworkingService } from './interworking.service.js';
import type { BridgeOutlet } from './xmpp-bridge.js';

/**
 * What the bridge tells a user's devices, on whichever node they are connected (socket.io rooms span the
 * nodes through the Redis adapter), and each outside contact's last known presence right after connect.
 */
export function attachInterworking(deps: { io: RealtimeServer; interworking: InterworkingService; log: Logger }): BridgeOutlet {
  const { io, interworking, log } = deps;
  io.on('connection', (socket: RealtimeSocket) => {
    interworking.contacts(socket.data.userId).then(
      (contacts) => {
        for (const contact of contacts) {
          if (contact.presence) socket.emit('outside:presence', { address: contact.address, network: contact.network, ...contact.presence });
        }
      },
      (error: unknown) => log.warn({ reason: (error as Error).message }, 'could not send outside presence at connect'),
    );
  });
  return {
    typing: (userId, event) => io.to(rooms.user(userId)).emit('typing', event),
    receipt: (userId, event) => io.to(rooms.user(userId)).emit('receipt', event),
    presence: (userId, event) => io.to(rooms.user(userId)).emit('outside:presence', event),
  };
}
