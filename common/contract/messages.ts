import { z } from 'zod';
import { errorBodySchema, type ErrorBody, type ErrorCode } from './errors.js';
import { outsideAddress, outsideNetworks } from './interworking.js';
import { callLogEntry } from './calls.js';

/** Chat between people addressed by their phone number (M22, M23, M25): the shapes both sides share. */

export const maxMessageTextLength = 4000;
export const maxGroupMembers = 256;

/** What a person may send. */
export const sendableMessageBody = z.union([
  z.object({ text: z.string().min(1).max(maxMessageTextLength) }).strict(),
  z.object({ attachmentId: z.string().uuid(), caption: z.string().max(maxMessageTextLength).optional() }).strict(),
]);
export type SendableMessageBody = z.infer<typeof sendableMessageBody>;
/** What a conversation holds: what people send, and call log entries (M26) that only the server writes. */
export const messageBody = z.union([...sendableMessageBody.options, z.object({ call: callLogEntry }).strict()]);
export type MessageBody = z.infer<typeof messageBody>;

export const messageTarget = z.union([
  z.object({ phone: z.string().regex(/^\+[1-9]\d{6,14}$/) }).strict(),
  z.object({ userId: z.string().uuid() }).strict(),
  z.object({ conversationId: z.string().uuid() }).strict(),
  // Interworking (M28): a person on another network, e.g. `xmpp:alice@example.org`.
  z.object({ address: outsideAddress }).strict(),
]);
export type MessageTarget = z.infer<typeof messageTarget>;

export const smsFallbacks = ['none', 'sms'] as const;

export const messageSendPayload = z.object({
  clientId: z.string().uuid(),
  to: messageTarget,
  body: sendableMessageBody,
  fallback: z.enum(smsFallbacks).optional(),
});
export type MessageSendPayload = z.infer<typeof messageSendPayload>;

/**
 * Who a message is from, or who is in a conversation. A person on another network (M28) has no user id
 * nor phone (both empty) and is named by `address` and `network` instead.
 */
export const messageParty = z.object({
  userId: z.string(),
  phone: z.string(),
  address: z.string().optional(),
  network: z.enum(outsideNetworks).optional(),
});
export type MessageParty = z.infer<typeof messageParty>;

export const chatMessage = z.object({
  id: z.string(),
  clientId: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  from: messageParty,
  body: messageBody,
  sentAt: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessage>;

export const deliveryRoutes = ['delivered', 'stored', 'sms'] as const;
export type DeliveryRoute = (typeof deliveryRoutes)[number];

/**
 * The answer to `message:send`. `message` is absent only when the receiver is not a user and the text
 * went out as an SMS: nothing is kept on the server then.
 */
export const messageSendResult = z.object({
  ok: z.literal(true),
  message: chatMessage.optional(),
  route: z.enum(deliveryRoutes),
  sms: z.boolean(),
});
export type MessageSendResult = z.infer<typeof messageSendResult>;
export type MessageSendAck = MessageSendResult | ErrorBody;

export function parseMessageSendAck(answer: unknown): MessageSendAck {
  const parsed = z.union([messageSendResult, errorBodySchema]).safeParse(answer);
  if (!parsed.success) return { error: { code: 'internal_error', message: 'the server answered in a shape this client does not know' } };
  return 'ok' in parsed.data ? parsed.data : { error: { ...parsed.data.error, code: parsed.data.error.code as ErrorCode } };
}

export const messageCursorPayload = z.object({ conversationId: z.string().uuid(), upTo: z.number().int().nonnegative() });
export type MessageCursorPayload = z.infer<typeof messageCursorPayload>;

export const receiptStates = ['delivered', 'read'] as const;
export const receiptEvent = z.object({
  conversationId: z.string(),
  upTo: z.number().int().nonnegative(),
  state: z.enum(receiptStates),
  /** The member's user id, or the outside address (M28) whose network confirmed delivery. */
  by: z.string(),
  at: z.string(),
});
export type ReceiptEvent = z.infer<typeof receiptEvent>;

/** A group was renamed, or its members changed (I may be the one added or removed): ask for the list again. */
export const conversationChangedEvent = z.object({ conversationId: z.string() });
export type ConversationChangedEvent = z.infer<typeof conversationChangedEvent>;

export const conversationMember = messageParty;
export const conversationView = z.object({
  id: z.string(),
  kind: z.enum(['direct', 'group']),
  title: z.string().optional(),
  members: z.array(conversationMember),
  lastMessage: chatMessage.optional(),
  unread: z.number().int().nonnegative(),
  /**
   * By user id, how far the other members' devices got (the furthest device of each): the receipts a
   * device missed while it was away. Absent when nobody else acknowledged anything yet.
   */
  progress: z.record(z.string(), z.object({ delivered: z.number().int().nonnegative(), read: z.number().int().nonnegative() })).optional(),
});
export type ConversationView = z.infer<typeof conversationView>;

export const conversationParams = z.object({ id: z.string().uuid() });
export const historyQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const messagesPage = z.object({ messages: z.array(chatMessage) });

export const createGroupRequest = z.object({
  title: z.string().trim().min(1).max(100),
  members: z.array(z.string().uuid()).max(maxGroupMembers - 1),
});
export const renameGroupRequest = z.object({ title: z.string().trim().min(1).max(100) });
export const groupMemberParams = z.object({ id: z.string().uuid(), userId: z.string().uuid() });

export const attachmentParams = z.object({ id: z.string().uuid() });
export const uploadedAttachment = z.object({
  attachmentId: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  sha256: z.string(),
});
export type UploadedAttachment = z.infer<typeof uploadedAttachment>;
/** What an upload may hold, recognised from its first bytes (the client's Content-Type is not trusted). */
export const attachmentTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'application/zip', 'text/plain'] as const;

/**
 * A message body as one line of plain text, for channels that carry only text (SMS, XMPP, the terminal):
 * a file is named by its caption, a call log entry by what happened.
 */
export function plainTextOf(body: MessageBody): string {
  if ('text' in body) return body.text;
  if ('call' in body) {
    const { media, outcome, durationSeconds } = body.call;
    return `[${media === 'video' ? 'video' : 'voice'} call: ${outcome}${durationSeconds === undefined ? '' : `, ${durationSeconds} s`}]`;
  }
  return `[file]${body.caption ? ` ${body.caption}` : ''}`;
}

/**
 * A socket handshake option, `auth: { ownEcho: false }`: this connection keeps the messages it sends from
 * the send's answer, so the server sends them back to it neither live nor in its backlog after a
 * reconnect (the apps do this; it spares a packet, an acknowledgement and a cursor write per message).
 * Without it, the sending connection receives its own messages like every other device.
 */
export function wantsOwnEcho(auth: unknown): boolean {
  return !(typeof auth === 'object' && auth !== null && (auth as { ownEcho?: unknown }).ownEcho === false);
}
