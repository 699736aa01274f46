import { z } from 'zod';
import { errorBodySchema, type ErrorBody, type ErrorCode } from './errors.js';
import { pluginIdSchema } from '../plugin-manifest/plugin-id.js';
import { outsideAddress, outsidePresenceEvent, type OutsidePresenceEvent } from './interworking.js';
import {
  chatMessage,
  conversationChangedEvent,
  messageCursorPayload,
  messageSendPayload,
  receiptEvent,
  type ChatMessage,
  type ConversationChangedEvent,
  type MessageCursorPayload,
  type MessageSendAck,
  type MessageSendPayload,
  type ReceiptEvent,
} from './messages.js';
import {
  postCommentEvent,
  postCommentRemovedEvent,
  postLikesEvent,
  postRemovedEvent,
  postView,
  type PostCommentEvent,
  type PostCommentRemovedEvent,
  type PostLikesEvent,
  type PostRemovedEvent,
  type PostView,
} from './posts.js';
import {
  callAnswerPayload,
  callAnsweredEvent,
  callEndedEvent,
  callHangupPayload,
  callIceEvent,
  callIcePayload,
  callIncomingEvent,
  callInvitePayload,
  callRenegotiateEvent,
  callRenegotiatePayload,
  type CallAnswerPayload,
  type CallAnsweredEvent,
  type CallEndedEvent,
  type CallHangupPayload,
  type CallIceEvent,
  type CallIcePayload,
  type CallIncomingEvent,
  type CallInvitePayload,
  type CallRenegotiateEvent,
  type CallRenegotiatePayload,
} from './calls.js';

/**
 * The one socket.io event map shared by the server and every client: each event's name and payload
 * schema, in both directions. The server parses what clients send with `clientEventSchemas`; clients
 * parse what the server sends with `serverEventSchemas` (through `validatedListener`) and ignore what
 * does not parse. Event names are defined here only.
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
/** The answer to every client event, as a client checks it. */
export const ackSchema = z.union([z.object({ ok: z.literal(true) }), errorBodySchema]);

/** A server's answer to a client event; one that does not parse counts as the error it is. */
export function parseAck(answer: unknown): Ack {
  const parsed = ackSchema.safeParse(answer);
  if (!parsed.success) return { error: { code: 'internal_error', message: 'the server answered in a shape this client does not know' } };
  return 'ok' in parsed.data ? { ok: true } : { error: { ...parsed.data.error, code: parsed.data.error.code as ErrorCode } };
}

/** One user's merged presence as a permitted watcher sees it. */
export const presenceEvent = z.object({
  userId: z.string(),
  status: z.enum(visibleStatuses),
  text: z.string(),
  apps: z.array(z.object({ plugin: z.string(), since: z.string() })),
  at: z.string(),
});
export type PresenceEvent = z.infer<typeof presenceEvent>;

/** M18: the whole roster, or only the people of the open conversations (with typing state). */
export const presenceScopePayload = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('roster') }),
  z.object({ mode: z.literal('conversations'), users: z.array(z.string().uuid()).max(100) }),
]);
export type PresenceScopePayload = z.infer<typeof presenceScopePayload>;

/** `to` is a user id, or an outside address (M28, `xmpp:alice@example.org`) of a conversation with one. */
export const typingPayload = z.object({ to: z.union([z.string().uuid(), outsideAddress]), state: z.enum(['typing', 'paused']) });
export type TypingPayload = z.infer<typeof typingPayload>;
export const typingEvent = z.object({ from: z.string(), state: typingPayload.shape.state, at: z.string() });
export type TypingEvent = z.infer<typeof typingEvent>;

export const addressBookChangedEvent = z.object({ version: z.number().int() });
export type AddressBookChangedEvent = z.infer<typeof addressBookChangedEvent>;

/**
 * What a contact now shares with the receiver about their accounts on other networks (the same shape as
 * `identities` in a contact of `GET /v1/me/contacts`); sent when they publish, change or remove one.
 */
export const identitiesEvent = z.object({
  userId: z.string(),
  identities: z.record(pluginIdSchema, z.record(z.string().max(32), z.string().max(320))),
});
export type IdentitiesEvent = z.infer<typeof identitiesEvent>;
/** Someone in my book joined (or changed who they are): fetch my contacts again. Says nothing about whom. */
export const contactsChangedEvent = z.object({});
export type ContactsChangedEvent = z.infer<typeof contactsChangedEvent>;
/** One of my devices asks for the book key: my other devices show the approval prompt. */
export const keyExchangePendingEvent = z.object({ deviceId: z.string(), name: z.string(), platform: z.string() });
export type KeyExchangePendingEvent = z.infer<typeof keyExchangePendingEvent>;
/** A request was answered (approved or rejected) on one of my devices. */
export const keyExchangeAnsweredEvent = z.object({ deviceId: z.string(), state: z.enum(['approved', 'rejected']) });
export type KeyExchangeAnsweredEvent = z.infer<typeof keyExchangeAnsweredEvent>;

export const sessionEndReasons = ['logout', 'device_revoked', 'device_blocked', 'expired', 'revoked', 'replaced', 'password_changed', 'account_deleted'] as const;
export const sessionEndedEvent = z.object({ reason: z.enum(sessionEndReasons) });
export type SessionEndedEvent = z.infer<typeof sessionEndedEvent>;

/** Client to server: each event's payload (every one is answered with an Ack). */
export const clientEventSchemas = {
  'presence:set': presenceSetPayload,
  'presence:scope': presenceScopePayload,
  typing: typingPayload,
  'message:send': messageSendPayload,
  'message:ack': messageCursorPayload,
  'message:read': messageCursorPayload,
  // Calls (M26)
  'call:invite': callInvitePayload,
  'call:answer': callAnswerPayload,
  'call:ice': callIcePayload,
  'call:hangup': callHangupPayload,
  'call:renegotiate': callRenegotiatePayload,
} as const;

/** Server to client: each event's payload. */
export const serverEventSchemas = {
  presence: presenceEvent,
  typing: typingEvent,
  'address-book:changed': addressBookChangedEvent,
  'contacts:changed': contactsChangedEvent,
  'key-exchange:pending': keyExchangePendingEvent,
  'key-exchange:answered': keyExchangeAnsweredEvent,
  'session:ended': sessionEndedEvent,
  message: chatMessage,
  receipt: receiptEvent,
  'conversation:changed': conversationChangedEvent,
  identities: identitiesEvent,
  'outside:presence': outsidePresenceEvent,
  post: postView,
  'post:removed': postRemovedEvent,
  'post:comment': postCommentEvent,
  'post:comment:removed': postCommentRemovedEvent,
  'post:likes': postLikesEvent,
  // Calls (M26)
  'call:incoming': callIncomingEvent,
  'call:answered': callAnsweredEvent,
  'call:ice': callIceEvent,
  'call:ended': callEndedEvent,
  'call:renegotiate': callRenegotiateEvent,
} as const;
export type ServerEventName = keyof typeof serverEventSchemas;
export type ServerEventPayload<E extends ServerEventName> = z.infer<(typeof serverEventSchemas)[E]>;

export interface ClientToServerEvents {
  'presence:set': (payload: PresenceSetPayload, ack: (answer: Ack) => void) => void;
  'presence:scope': (payload: PresenceScopePayload, ack: (answer: Ack) => void) => void;
  typing: (payload: TypingPayload, ack: (answer: Ack) => void) => void;
  /** Answered once the message is durable (or refused); the same clientId again answers the same message. */
  'message:send': (payload: MessageSendPayload, ack: (answer: MessageSendAck) => void) => void;
  /**
   * Everything up to `upTo` in the conversation reached this device. The answer is optional: a client that
   * sends its cursor again later anyway (the apps do) asks for none, which spares a packet per message.
   */
  'message:ack': (payload: MessageCursorPayload, ack?: (answer: Ack) => void) => void;
  'message:read': (payload: MessageCursorPayload, ack?: (answer: Ack) => void) => void;
  /** Rings every device of the callee; answered once the call exists (or refused: not allowed, already in a call). */
  'call:invite': (payload: CallInvitePayload, ack: (answer: Ack) => void) => void;
  /** The first device of the callee to answer wins; a later one is refused with `not_found`. */
  'call:answer': (payload: CallAnswerPayload, ack: (answer: Ack) => void) => void;
  'call:ice': (payload: CallIcePayload, ack: (answer: Ack) => void) => void;
  /** Hang up, cancel, decline (`declined`) or refuse as busy (`busy`). */
  'call:hangup': (payload: CallHangupPayload, ack: (answer: Ack) => void) => void;
  'call:renegotiate': (payload: CallRenegotiatePayload, ack: (answer: Ack) => void) => void;
}

export interface ServerToClientEvents {
  presence: (event: PresenceEvent) => void;
  /** Only to sockets whose scope is `conversations` and that include the sender. */
  typing: (event: TypingEvent) => void;
  /** Another device of the same user changed the address book: pull `routes.addressBookChanges`. */
  'address-book:changed': (event: AddressBookChangedEvent) => void;
  /** A person in my book joined Switchboard: my contacts (who is a user) changed. */
  'contacts:changed': (event: ContactsChangedEvent) => void;
  /** Another of my devices asks for the book key: show "Approve / Reject" with the code. */
  'key-exchange:pending': (event: KeyExchangePendingEvent) => void;
  /** A key request was approved or rejected: the waiting device fetches its wrapped key. */
  'key-exchange:answered': (event: KeyExchangeAnsweredEvent) => void;
  /** Sent just before the server drops the socket because its session ended (logout, revoked device). */
  'session:ended': (event: SessionEndedEvent) => void;
  /** A message of one of my conversations; right after connect, every one this device has not acknowledged, oldest first. */
  message: (event: ChatMessage) => void;
  /** Delivered and read receipts, to the devices of the other members. */
  receipt: (event: ReceiptEvent) => void;
  /** A group I am (or was just) in was renamed or its members changed: fetch `routes.conversations` again. */
  'conversation:changed': (event: ConversationChangedEvent) => void;
  /** A contact published, changed or removed an identity: what they now share with this user. */
  identities: (event: IdentitiesEvent) => void;
  /** Interworking (M28): an allowed outside contact's presence on their network; one per contact right after connect. */
  'outside:presence': (event: OutsidePresenceEvent) => void;
  /** A new post the receiver may see, as they see it (also to the author's own devices): add it to the feed, bump the badge. */
  post: (event: PostView) => void;
  /** A post the receiver could see was deleted: drop it. */
  'post:removed': (event: PostRemovedEvent) => void;
  /** A new comment on a post the receiver may see (not one by someone a block hides from them): add it, set the count. */
  'post:comment': (event: PostCommentEvent) => void;
  /** A comment the receiver could see was deleted: drop it, set the count. */
  'post:comment:removed': (event: PostCommentRemovedEvent) => void;
  /** A post's like count changed; the liker's own devices also get their `likedByMe`. */
  'post:likes': (event: PostLikesEvent) => void;
  /** Someone calls: ring until answered here or elsewhere, or `call:ended`. */
  'call:incoming': (event: CallIncomingEvent) => void;
  /** To the caller's device: the callee answered with this description. */
  'call:answered': (event: CallAnsweredEvent) => void;
  'call:ice': (event: CallIceEvent) => void;
  'call:ended': (event: CallEndedEvent) => void;
  'call:renegotiate': (event: CallRenegotiateEvent) => void;
}

/**
 * A listener for a server event that hands on only payloads matching the map; anything else (an older
 * or newer server, a broken proxy) goes to `onInvalid`, to be logged, and is otherwise ignored.
 */
export function validatedListener<E extends ServerEventName>(
  event: E,
  handler: (payload: ServerEventPayload<E>) => void,
  onInvalid: (event: E, problem: string) => void,
): (payload: unknown) => void {
  const schema = serverEventSchemas[event];
  return (payload) => {
    const parsed = schema.safeParse(payload);
    // TypeScript cannot follow the schema chosen by a generic key to its payload type; the map pairs them.
    if (parsed.success) handler(parsed.data as ServerEventPayload<E>);
    else onInvalid(event, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; '));
  };
}

export type SocketAuth = { token: string };
