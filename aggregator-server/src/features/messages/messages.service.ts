import { randomUUID } from 'node:crypto';
import type {
  ChatMessage,
  ConversationView,
  MessageParty,
  MessageCursorPayload,
  MessageSendPayload,
  MessageSendResult,
  ReceiptEvent,
} from '#common/contract/messages.js';
import type { CallLogEntry } from '#common/contract/calls.js';
import type { MessageSettings } from '../../config.js';
import { ApiError } from '../../http/api-error.js';
import { timeOrderedId } from '../../platform/crypto.js';
import { toIso, type Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import type { AccountService } from '../identity/account.service.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { SmsFallback } from '../sms/sms.service.js';
import { DirectHints } from './direct-hints.js';
import type { MessageViews } from './message-views.js';
import type { DirectOpenings, PersonAddress } from './messages.openings.js';
import type { ConversationRecord, CursorKind, DirectAppend, DirectAppendResult, MessagePosition, MessageRecord, MessagesRepository } from './messages.repository.js';

/** How messages leave this node: to every socket of some users, on whichever node they are. */
export interface MessageOutlet {
  /** To every device of `userIds` but the connection `except` (the one that sent it, which has it in its answer). */
  deliver(userIds: string[], message: ChatMessage, except?: string): void;
  receipt(userIds: string[], event: ReceiptEvent): void;
  /** A group's name or members changed: its members' devices (and a removed member's) fetch the list again. */
  conversationChanged(userIds: string[], conversationId: string): void;
  /** Whether any device of the user holds a socket on any node. */
  online(userId: string): Promise<boolean>;
}

/**
 * Conversations whose other party is on another network (M28), implemented by the interworking feature.
 * Their messages are stored and numbered like any others; the other party is not a user, so such a
 * conversation has one member, and only conversations of one member are ever asked about.
 */
export interface OutsideNetworks {
  /** The user's conversation with an outside address (`xmpp:alice@example.org`), made on first use. */
  conversationWith(userId: string, address: string): Promise<ConversationRecord>;
  /** The outside sender of a stored message, when it came from another network. */
  senderOf(message: MessageRecord): MessageParty | undefined;
  /** The outside party of a conversation of one member, when it has one. */
  partyOf(conversationId: string): Promise<MessageParty | undefined>;
  /** A message was stored in a conversation of one member: it goes out when the party is outside. */
  stored(message: MessageRecord): void;
  /** A device moved its cursor in a conversation of one member: receipts owed to the outside party go out. */
  cursorMoved(kind: CursorKind, userId: string, conversationId: string, upTo: number): void;
}

/**
 * Who sends: the user, the device, and the socket the send came on when that socket takes its own
 * messages from the send's answer (`auth.ownEcho: false`): it is not sent the message again as a live
 * message; the sender's other devices are.
 */
export type Sender = { userId: string; deviceId: string; socketId?: string };

const day = 24 * 60 * 60 * 1000;
const backlogPage = 1000;

/**
 * Durable chat (M22, M23, M25): a message is stored before it is acknowledged, numbered in its
 * conversation, and reaches devices live or from the database when they come back.
 */
export class MessagesService {
  private readonly hints = new DirectHints();

  constructor(
    private readonly deps: {
      repo: MessagesRepository;
      /** Messages and conversations as the contract shows them (shared with the groups). */
      views: MessageViews;
      /** The first text to a person in two round trips, where the database offers it (PostgreSQL). */
      openings?: DirectOpenings;
      /** Whether a user may put this file in a message (the attachments part answers). */
      attachments: (userId: string, attachmentId: string) => Promise<boolean>;
      accounts: AccountService;
      privacy: PrivacyService;
      /** SMS to people who are not users and offline notices: texts, caps and opt-outs live there. */
      sms: SmsFallback;
      /** Told of every stored message and its other members (the SMS gateway relays to signed-in phones). */
      relay?: (message: ChatMessage, recipientIds: string[]) => void;
      limiter: RateLimiter;
      outlet: MessageOutlet;
      /** The bridge to other networks, when this server runs one. */
      outside?: () => OutsideNetworks | undefined;
      settings: MessageSettings;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /**
   * A message another network delivered to the user (stored as theirs, in their conversation with the
   * outside party). The bridge holds each outside address to its own pace; the user's pace is for what
   * they send, so a chatty contact never keeps the user from writing.
   */
  receiveFromOutside(sender: Sender, payload: MessageSendPayload): Promise<MessageSendResult> {
    return this.sendFully(sender, payload, true);
  }

  async send(sender: Sender, payload: MessageSendPayload): Promise<MessageSendResult> {
    const hint = 'text' in payload.body ? this.hints.get(sender.userId, payload.to) : undefined;
    if (!hint) return this.sendFully(sender, payload, false);
    const pace = await this.deps.limiter.hit(`msg:${sender.userId}`, this.deps.settings.perSenderPerMinute, 60_000);
    // Over the limit, the full path decides (a retry of a stored message is still answered).
    if (!pace.allowed) return this.sendFully(sender, payload, true);
    const appended = await this.appendDirectText(sender, payload, hint.conversationId, hint.receiverId);
    if (appended.kind !== 'stored') {
      // A repeat is answered by the full path; a refusal means the hint is stale (or the send is not allowed): the full path says which.
      if (appended.kind === 'refused') this.hints.forget(sender.userId, payload.to);
      return this.sendFully(sender, payload, true);
    }
    return this.announceDirect(sender, hint.receiverId, appended);
  }

  /** Stores a text for one other person (`appendDirect`). */
  private async appendDirectText(sender: Sender, payload: MessageSendPayload, conversationId: string, receiverId: string): Promise<DirectAppendResult> {
    return this.deps.repo.appendDirect(await this.directText(sender, payload, conversationId, receiverId));
  }

  /** A text for one other person, routed by whether a device of theirs is online. */
  private async directText(sender: Sender, payload: MessageSendPayload, conversationId: string, receiverId: string): Promise<DirectAppend> {
    const route = (await this.deps.outlet.online(receiverId)) ? 'delivered' : 'stored';
    const sentAt = this.deps.clock.now();
    return {
      message: {
        id: timeOrderedId(sentAt),
        conversationId,
        senderId: sender.userId,
        senderDeviceId: sender.deviceId,
        clientId: payload.clientId,
        body: payload.body,
        route,
        sms: route === 'stored' && payload.fallback === 'sms',
        sentAt,
      },
      receiverId,
      ...('phone' in payload.to ? { receiverPhone: payload.to.phone } : {}),
    };
  }

  /** A direct text stored: to both people's devices (not the sending connection), the SMS relay, an SMS notice if asked. */
  private async announceDirect(sender: Sender, receiverId: string, stored: Extract<DirectAppendResult, { kind: 'stored' }>): Promise<MessageSendResult> {
    const { message, senderPhone } = stored;
    const view = this.deps.views.message(message, senderPhone);
    this.deps.outlet.deliver([receiverId, sender.userId], view, sender.socketId);
    this.deps.relay?.(view, [receiverId]);
    const sms = message.sms ? await this.smsNotice(sender.userId, receiverId) : false;
    return { ok: true, message: view, route: message.route, sms };
  }

  /**
   * A text in a direct conversation, once the target is known: stored by `appendDirect`, which checks
   * again, in the statement that stores it, that neither blocked the other and that a number used is
   * still the receiver's, and answers the sender's number with it. The node remembers the way for the
   * next message.
   */
  private async sendDirectText(sender: Sender, payload: MessageSendPayload, conversationId: string, receiverId: string): Promise<MessageSendResult> {
    const appended = await this.appendDirectText(sender, payload, conversationId, receiverId);
    if (appended.kind === 'refused') {
      // Changed between the checks and the statement: a block, or the number went to someone else.
      if (await this.deps.privacy.eitherBlocked(sender.userId, receiverId)) throw new ApiError(403, 'blocked', 'this person cannot receive your messages');
      throw new ApiError(404, 'not_a_user', 'nobody uses Switchboard with this number');
    }
    return this.answerDirect(sender, payload, receiverId, appended);
  }

  /**
   * The first text to a person where the database resolves it in one step (`DirectOpenings.open`): the
   * conversation found or made and the message stored, with the checks of `appendDirect`. Undefined when
   * refused (a block, or the number moved, since the look-up): the checks one by one then say why.
   */
  private async openDirectText(openings: DirectOpenings, sender: Sender, payload: MessageSendPayload, receiverId: string): Promise<MessageSendResult | undefined> {
    const opened = await openings.open(await this.directText(sender, payload, randomUUID(), receiverId));
    return opened.kind === 'refused' ? undefined : this.answerDirect(sender, payload, receiverId, opened);
  }

  /** A direct text stored, or a repeat answered with the first; the node remembers the way for the next message. */
  private async answerDirect(sender: Sender, payload: MessageSendPayload, receiverId: string, appended: Exclude<DirectAppendResult, { kind: 'refused' }>): Promise<MessageSendResult> {
    if (appended.kind === 'repeated') {
      const first = await this.deps.repo.findMessageByClientId(sender.userId, payload.clientId);
      if (!first) throw new Error('a repeated clientId names no stored message');
      return this.answerFirst(first);
    }
    this.hints.remember(sender.userId, payload.to, { conversationId: appended.message.conversationId, receiverId });
    return this.announceDirect(sender, receiverId, appended);
  }

  /** A send whose clientId was used before is answered with the first message, as it was stored. */
  private async answerFirst(first: MessageRecord): Promise<MessageSendResult> {
    return { ok: true, message: (await this.deps.views.messages([first]))[0], route: first.route, sms: first.sms };
  }

  /** Every check one by one: the first send to an address, groups, files, and whatever the direct path refused. */
  private async sendFully(sender: Sender, payload: MessageSendPayload, paced: boolean): Promise<MessageSendResult> {
    const { repo, clock } = this.deps;
    const openings = 'text' in payload.body ? this.deps.openings : undefined;
    const person = personAddressed(payload.to);
    // With openings, one read answers both whether this is a retry and who the address names.
    const looked = openings && person ? await openings.lookUp(sender.userId, payload.clientId, person) : undefined;
    // A retry answers the first send, before any limit: it costs nothing new.
    const repeated = !looked || looked.repeated ? await repo.findMessageByClientId(sender.userId, payload.clientId) : undefined;
    if (repeated) return this.answerFirst(repeated);

    if (!paced) {
      const pace = await this.deps.limiter.hit(`msg:${sender.userId}`, this.deps.settings.perSenderPerMinute, 60_000);
      if (!pace.allowed) throw new ApiError(429, 'rate_limited', 'too many messages; slow down', { retryAfter: Math.ceil(pace.retryAfterMs / 1000) });
    }

    if ('attachmentId' in payload.body && !(await this.deps.attachments(sender.userId, payload.body.attachmentId))) {
      throw new ApiError(404, 'not_found', 'no such file; upload it first');
    }
    if (openings && looked?.receiverId !== undefined && looked.receiverId !== sender.userId) {
      const opened = await this.openDirectText(openings, sender, payload, looked.receiverId);
      if (opened) return opened;
    }
    const target = await this.resolveTarget(sender.userId, payload);
    if (target.kind === 'sms') return this.sendSmsToStranger(sender.userId, payload, target.phone);

    const conversation = target.conversation;
    // A text to one other person goes through the same single statement as every later message there.
    if (target.receiverId !== undefined && 'text' in payload.body) return this.sendDirectText(sender, payload, conversation.id, target.receiverId);
    const others = (await repo.activeMembers(conversation.id)).filter((userId) => userId !== sender.userId);
    const online = (await Promise.all(others.map((userId) => this.deps.outlet.online(userId)))).some(Boolean);
    const route = online || others.length === 0 ? 'delivered' : 'stored';
    const smsNotice = route === 'stored' && payload.fallback === 'sms' && conversation.kind === 'direct';
    const sentAt = clock.now();
    const { message, created } = await repo.appendMessage({
      id: timeOrderedId(sentAt),
      conversationId: conversation.id,
      senderId: sender.userId,
      senderDeviceId: sender.deviceId,
      clientId: payload.clientId,
      body: payload.body,
      route,
      sms: smsNotice,
      sentAt,
    });
    const [view] = await this.deps.views.messages([message]);
    if (!view) throw new Error('a stored message has no view');
    if (!created) return { ok: true, message: view, route: message.route, sms: message.sms };
    const [receiverId] = others;
    if (conversation.kind === 'direct' && receiverId && others.length === 1) this.hints.remember(sender.userId, payload.to, { conversationId: conversation.id, receiverId });
    // Every current member's devices, the sender's other devices included; a lost notice is caught up on reconnect.
    this.deps.outlet.deliver([...others, sender.userId], view, sender.socketId);
    if (others.length === 0 && conversation.kind === 'direct') this.deps.outside?.()?.stored(message);
    this.deps.relay?.(view, others);
    let sms = false;
    if (smsNotice && others[0]) sms = await this.smsNotice(sender.userId, others[0]);
    return { ok: true, message: view, route, sms };
  }

  /**
   * Calls (M26): a call's outcome as a message of the two people's direct conversation, from the caller,
   * to every device of both. Once per call: the call id is the message's clientId, so a second node
   * recording the same call gets the first message back.
   */
  async recordCall(callerId: string, calleeId: string, call: CallLogEntry): Promise<ChatMessage> {
    const { repo, clock } = this.deps;
    const conversation = await repo.findOrCreateDirect(randomUUID(), [callerId, calleeId], clock.now());
    const sentAt = clock.now();
    const { message, created } = await repo.appendMessage({
      id: timeOrderedId(sentAt),
      conversationId: conversation.id,
      senderId: callerId,
      clientId: call.callId,
      body: { call },
      route: 'delivered',
      sms: false,
      sentAt,
    });
    const [view] = await this.deps.views.messages([message]);
    if (!view) throw new Error('a stored call log has no view');
    if (created) this.deps.outlet.deliver([callerId, calleeId], view);
    return view;
  }

  /**
   * Account deletion: the user's direct conversations go, whole (their key names the user); in groups the
   * user's memberships, cursors and messages go with the user's row.
   */
  async deleteUser(userId: string): Promise<void> {
    await this.deps.repo.deleteDirectConversationsOf(userId);
  }

  /** A device confirms it holds (or showed) everything up to `upTo`; the other members hear of it. */
  async moveCursor(kind: CursorKind, reader: Sender, payload: MessageCursorPayload): Promise<void> {
    const moved = await this.deps.repo.advanceMemberCursor(kind, reader.userId, reader.deviceId, payload.conversationId, payload.upTo);
    if (!moved) throw new ApiError(404, 'not_found', 'no such conversation');
    this.deps.outlet.receipt(moved.others, { conversationId: payload.conversationId, upTo: moved.now, state: kind, by: reader.userId, at: toIso(this.deps.clock.now()) });
    if (moved.others.length === 0) {
      // A direct conversation with nobody else on Switchboard: its other party is on another network.
      const outside = this.deps.outside?.();
      const conversation = outside ? await this.deps.repo.findConversation(payload.conversationId) : undefined;
      if (outside && conversation?.kind === 'direct') outside.cursorMoved(kind, reader.userId, payload.conversationId, moved.now);
    }
  }

  /**
   * Everything this device has not acknowledged, oldest first per conversation, page by page; `withoutOwn`:
   * not what it sent itself (a connection that takes its own messages from the send's answer).
   */
  async replayUndelivered(device: Sender, emit: (message: ChatMessage) => void, withoutOwn = false): Promise<number> {
    let after: MessagePosition | undefined;
    let sent = 0;
    for (;;) {
      const page = await this.deps.repo.undelivered(device.userId, device.deviceId, after, backlogPage, withoutOwn);
      for (const view of await this.deps.views.messages(page)) emit(view);
      sent += page.length;
      const last = page.at(-1);
      if (!last || page.length < backlogPage) return sent;
      after = { conversationId: last.conversationId, seq: last.seq };
    }
  }

  async conversations(userId: string): Promise<ConversationView[]> {
    const { repo } = this.deps;
    const conversations = await repo.conversationsOf(userId);
    const ids = conversations.map((c) => c.id);
    const [read, progress] = await Promise.all([repo.readUpTo(userId, ids), repo.othersProgress(userId, ids)]);
    return Promise.all(
      conversations.map(async (conversation) => {
        const view = await this.deps.views.conversation(conversation, read.get(conversation.id) ?? 0);
        // Receipts sent while this device was away: its ticks catch up from here.
        const others = progress.get(conversation.id);
        return others ? { ...view, progress: others } : view;
      }),
    );
  }

  async history(userId: string, conversationId: string, before: number | undefined, limit: number): Promise<{ messages: ChatMessage[] }> {
    const member = await this.deps.repo.membership(conversationId, userId);
    if (!member) throw new ApiError(404, 'not_found', 'no such conversation');
    return { messages: await this.deps.views.messages(await this.deps.repo.history(member, before, limit)) };
  }

  /** Deletes what is older than the retention period; answers how many. */
  async purgeExpired(): Promise<number> {
    return this.deps.repo.purgeSentBefore(this.deps.clock.now() - this.deps.settings.retentionDays * day);
  }

  private async resolveTarget(
    senderId: string,
    payload: MessageSendPayload,
  ): Promise<{ kind: 'conversation'; conversation: ConversationRecord; receiverId?: string } | { kind: 'sms'; phone: string }> {
    const { repo, accounts, privacy, clock } = this.deps;
    const { to } = payload;
    if ('conversationId' in to) {
      const conversation = await repo.findConversation(to.conversationId);
      const member = conversation && (await repo.membership(conversation.id, senderId));
      if (!conversation || !member || member.leftSeq !== null) throw new ApiError(404, 'not_found', 'no such conversation');
      if (conversation.kind === 'direct') {
        const other = (await repo.activeMembers(conversation.id)).find((id) => id !== senderId);
        if (other && (await privacy.eitherBlocked(senderId, other))) throw new ApiError(403, 'blocked', 'this person cannot receive your messages');
        if (other) return { kind: 'conversation', conversation, receiverId: other };
      }
      return { kind: 'conversation', conversation };
    }
    if ('address' in to) {
      const outside = this.deps.outside?.();
      if (!outside) throw new ApiError(503, 'unavailable', 'this server does not reach other networks');
      return { kind: 'conversation', conversation: await outside.conversationWith(senderId, to.address) };
    }
    const receiverId = 'userId' in to ? ((await accounts.userExists(to.userId)) ? to.userId : undefined) : await accounts.userIdByPhone(to.phone);
    if (!receiverId) {
      if ('phone' in to && payload.fallback === 'sms') return { kind: 'sms', phone: to.phone };
      throw new ApiError(404, 'not_a_user', 'nobody uses Switchboard with this number');
    }
    if (receiverId === senderId) throw new ApiError(400, 'validation_failed', 'a message needs another person');
    if (await privacy.eitherBlocked(senderId, receiverId)) throw new ApiError(403, 'blocked', 'this person cannot receive your messages');
    return { kind: 'conversation', conversation: await repo.findOrCreateDirect(randomUUID(), [senderId, receiverId], clock.now()), receiverId };
  }

  /** Not a user: the text goes out as an SMS with the sender's number and an invitation; nothing is kept. */
  private async sendSmsToStranger(senderId: string, payload: MessageSendPayload, phone: string): Promise<MessageSendResult> {
    const senderPhone = (await this.deps.accounts.primaryPhones([senderId])).get(senderId) ?? 'someone';
    const text = 'text' in payload.body ? payload.body.text : (payload.body.caption ?? 'a file');
    await this.deps.sms.toStranger({ senderId, senderPhone, clientId: payload.clientId, to: phone, text });
    return { ok: true, route: 'sms', sms: true };
  }

  private async smsNotice(senderId: string, receiverId: string): Promise<boolean> {
    const phones = await this.deps.accounts.primaryPhones([senderId, receiverId]);
    const to = phones.get(receiverId);
    if (!to) return false;
    return this.deps.sms.notice({ senderId, senderPhone: phones.get(senderId) ?? 'Someone', to });
  }

}

/** A person addressed by number or user id (not a conversation, nor someone on another network). */
function personAddressed(to: MessageSendPayload['to']): PersonAddress | undefined {
  if ('phone' in to) return { phone: to.phone };
  if ('userId' in to) return { userId: to.userId };
  return undefined;
}
