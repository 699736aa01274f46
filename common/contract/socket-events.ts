import { z } from 'zod';
import type { ErrorBody } from './errors.js';
import { pluginIdSchema } from './privacy.js';

/**
 * The one socket.io event map shared by the server and every client (contract.md, "Realtime").
 * Event names are defined here only.
 */
export const imStatuses = ['online', 'busy', 'away', 'invisible'] as const;
export const visibleStatuses = ['online', 'busy', 'away', 'offline'] as const;

export const presenceSetPayload = z.object({
  status: z.enum(imStatuses).optional(),
  text: z.string().max(280).optional(),
  apps: z.array(pluginIdSchema).max(200).optional(),
});
export type PresenceSetPayload = z.infer<typeof presenceSetPayload>;

export type Ack = { ok: true } | ErrorBody;

export type PresenceEvent = {
  userId: string;
  status: (typeof visibleStatuses)[number];
  text: string;
  apps: { plugin: string; since: string }[];
  at: string;
};

/** M18: the whole roster, or only the people of the open conversations (with typing state). */
export const presenceScopePayload = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('roster') }),
  z.object({ mode: z.literal('conversations'), users: z.array(z.string().uuid()).max(100) }),
]);
export type PresenceScopePayload = z.infer<typeof presenceScopePayload>;

export const typingPayload = z.object({ to: z.string().uuid(), state: z.enum(['typing', 'paused']) });
export type TypingPayload = z.infer<typeof typingPayload>;
export type TypingEvent = { from: string; state: TypingPayload['state']; at: string };

export interface ClientToServerEvents {
  'presence:set': (payload: PresenceSetPayload, ack: (answer: Ack) => void) => void;
  'presence:scope': (payload: PresenceScopePayload, ack: (answer: Ack) => void) => void;
  typing: (payload: TypingPayload, ack: (answer: Ack) => void) => void;
}

export interface ServerToClientEvents {
  presence: (event: PresenceEvent) => void;
  /** Only to sockets whose scope is `conversations` and that include the sender. */
  typing: (event: TypingEvent) => void;
  /** Another device of the same user changed the address book: pull `/v1/me/address-book/changes`. */
  'address-book:changed': (event: { version: number }) => void;
  /**
   * Sent just before the server drops the socket because its session ended (logout, revoked device), or
   * because a periodic re-check found it expired or revoked (`revoked` when the cause is not known).
   */
  'session:ended': (event: { reason: 'logout' | 'device_revoked' | 'device_blocked' | 'expired' | 'revoked' }) => void;
}

export type SocketAuth = { token: string };
