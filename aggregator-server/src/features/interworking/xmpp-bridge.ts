import { randomUUID } from 'node:crypto';
import type { XmlElement } from '@xmpp/component';
import { maxMessageTextLength, plainTextOf, type ChatMessage, type ReceiptEvent } from '#common/contract/messages.js';
import type { OutsidePresenceEvent, OutsideStatus } from '#common/contract/interworking.js';
import type { TypingEvent } from '#common/contract/socket-events.js';
import { ApiError } from '../../http/api-error.js';
import { toIso, type Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import type { AccountService } from '../identity/account.service.js';
import type { MessagesService } from '../messages/messages.service.js';
import { addressOfJid, bareJidOf, domainOf, inboundClientId, outboundStanzaId, phoneOfUserJid, seqOfStanzaId, userJid } from './addresses.js';
import type { ComponentLink } from './component-link.js';
import type { InterworkingRepository } from './interworking.repository.js';
import type { RelayCommand } from './relay.js';
import { availabilityStanza, chatMessageStanza, chatStateStanza, displayedStanza, errorReply, pingStanza, presenceStanza, readMessage, receiptStanza, statusOfPresence, type ErrorCondition } from './stanzas.js';

/** How what arrives from XMPP reaches a user's devices (on every node). */
export interface BridgeOutlet {
  typing(userId: string, event: TypingEvent): void;
  receipt(userId: string, event: ReceiptEvent): void;
  presence(userId: string, event: OutsidePresenceEvent): void;
}

/** The device a message from outside is stored for: the bridge, on the user's behalf. */
const bridgeDevice = 'xmpp-bridge';
const pageSize = 100;
const barrierTimeoutMs = 10_000;
/**
 * Messages one outside address may send one user a minute. They do not count against the user's own
 * sending pace (`receiveFromOutside`): a chatty contact never keeps the user from writing.
 */
const inboundPerAddressPerMinute = 120;
const statusRank: Record<OutsideStatus, number> = { online: 3, busy: 2, away: 1, offline: 0 };

type Party = { userId: string; phone: string; address: string };

/**
 * The work of the node that holds the component connection: stanzas in (messages stored before anything
 * is acknowledged, receipts, chat states, presence), and what waits in the database out (messages past
 * the sent mark, receipts owed). Each conversation's work runs one step at a time, in order.
 */
export class XmppBridge {
  private readonly queues = new Map<string, Promise<void>>();
  /** Per user and outside address: each of their resources' availability. */
  private readonly resources = new Map<string, Map<string, { status: OutsideStatus; text: string }>>();
  /** The status each user's outside contacts were last told (only a change of status is worth a stanza). */
  private readonly announced = new Map<string, OutsideStatus>();

  constructor(
    private readonly deps: {
      link: ComponentLink;
      repo: InterworkingRepository;
      messages: MessagesService;
      accounts: AccountService;
      limiter: RateLimiter;
      outlet: BridgeOutlet;
      /** What outside contacts may see of a user's status now (offline while invisible or hidden from everyone). */
      userStatus: (userId: string) => Promise<OutsideStatus>;
      componentDomain: string;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** The component is (again) accepted: greet every allowed contact, then send what waited. */
  async online(): Promise<void> {
    this.resources.clear();
    this.announced.clear();
    await this.greetContacts();
    await this.sweep();
  }

  /** Everything still owed, in case a command between nodes was lost. */
  async sweep(): Promise<void> {
    if (!this.deps.link.online) return;
    for (const conversationId of await this.deps.repo.unsent(1000)) this.enqueue(conversationId, () => this.flush(conversationId));
    for (const conversationId of await this.deps.repo.conversationsOwingReceipts(1000)) this.enqueue(conversationId, () => this.sendReceipts(conversationId));
    await Promise.all(this.queues.values());
  }

  command(command: RelayCommand): void {
    if (!this.deps.link.online) return;
    switch (command.kind) {
      case 'flush':
        return this.enqueue(command.conversationId, () => this.flush(command.conversationId));
      case 'receipts':
        return this.enqueue(command.conversationId, () => this.sendReceipts(command.conversationId));
      case 'typing':
        return void this.guard('typing', () => this.sendTyping(command.userId, command.address, command.state));
      case 'presence':
        return void this.guard('presence', () => this.announceStatus(command.userId));
      case 'subscribe':
      case 'unsubscribe':
        return void this.guard(command.kind, () => this.subscription(command.userId, command.address, command.kind));
    }
  }

  stanza(stanza: XmlElement): void {
    if (stanza.name === 'message') void this.guard('message', () => this.onMessage(stanza));
    else if (stanza.name === 'presence') void this.guard('presence', () => this.onPresence(stanza));
  }

  private enqueue(conversationId: string, task: () => Promise<void>): void {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous.then(() => this.guard('conversation', task));
    this.queues.set(conversationId, next);
    void next.then(() => {
      if (this.queues.get(conversationId) === next) this.queues.delete(conversationId);
    });
  }

  private async guard(what: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.deps.log.warn({ reason: (error as Error).message, what }, 'xmpp bridge task failed');
    }
  }

  private async send(stanza: XmlElement): Promise<void> {
    await this.deps.link.send(stanza);
  }

  /** Who a stanza is for and from, when the addressee is a user who allows the sender; otherwise nothing. */
  private async party(stanza: XmlElement): Promise<Party | undefined> {
    const phone = phoneOfUserJid(stanza.attrs.to, this.deps.componentDomain);
    const address = addressOfJid(stanza.attrs.from);
    if (!phone || !address) return undefined;
    const userId = await this.deps.accounts.userIdByPhone(phone);
    if (!userId || !(await this.deps.repo.isAllowed(userId, address))) return undefined;
    return { userId, phone, address };
  }

  private refuse(stanza: XmlElement, condition: ErrorCondition, text?: string): Promise<void> {
    return this.send(errorReply(stanza, condition, text));
  }

  private async onMessage(stanza: XmlElement): Promise<void> {
    const type = stanza.attrs.type;
    // An error is never answered (two bridges could bounce errors forever).
    if (type === 'error') return;
    const party = type === 'groupchat' ? undefined : await this.party(stanza);
    // The same answer for a stranger and for a number nobody uses: it tells nothing about our users.
    if (!party) return this.refuse(stanza, 'service-unavailable');
    const incoming = readMessage(stanza);
    const now = this.deps.clock.now();
    if (incoming.typing) this.deps.outlet.typing(party.userId, { from: party.address, state: incoming.typing, at: toIso(now) });
    if (incoming.receiptFor) await this.onReceipt(party, incoming.receiptFor, 'delivered');
    if (incoming.displayedFor) await this.onReceipt(party, incoming.displayedFor, 'read');
    const text = incoming.text?.trim() === '' ? undefined : incoming.text;
    if (text === undefined) return;
    if (text.length > maxMessageTextLength) return this.refuse(stanza, 'not-acceptable', `messages are limited to ${maxMessageTextLength} characters`);

    const pace = await this.deps.limiter.hit(`xmpp-in:${party.userId}:${party.address}`, inboundPerAddressPerMinute, 60_000);
    if (!pace.allowed) return this.refuse(stanza, 'resource-constraint', 'too many messages; slow down');
    const conversation = await this.deps.repo.conversationWith(randomUUID(), party.userId, party.address, 'xmpp', now);
    const xmppId = incoming.originId ?? incoming.id ?? randomUUID();
    let stored: ChatMessage | undefined;
    try {
      const answer = await this.deps.messages.receiveFromOutside(
        { userId: party.userId, deviceId: bridgeDevice },
        { clientId: inboundClientId(party.address, xmppId), to: { conversationId: conversation.id }, body: { text } },
      );
      stored = answer.message;
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) return this.refuse(stanza, 'resource-constraint');
      this.deps.log.error({ reason: (error as Error).message }, 'a message from xmpp could not be stored');
      return this.refuse(stanza, 'internal-server-error');
    }
    // Stored before anything is confirmed: the receipt goes out once a device of the user has it, the
    // displayed marker once the user read it.
    if (stored && (incoming.wantsReceipt || incoming.markable) && incoming.id && stanza.attrs.from) {
      await this.deps.repo.recordInbound(conversation.id, { seq: stored.seq, stanzaId: incoming.id, replyTo: stanza.attrs.from, wantsReceipt: incoming.wantsReceipt, markable: incoming.markable });
      this.enqueue(conversation.id, () => this.sendReceipts(conversation.id));
    }
  }

  private async onReceipt(party: Party, id: string, state: 'delivered' | 'read'): Promise<void> {
    const seq = seqOfStanzaId(id);
    const conversation = await this.deps.repo.conversationOf(party.userId, party.address);
    if (seq === undefined || !conversation) return;
    this.deps.outlet.receipt(party.userId, { conversationId: conversation.conversationId, upTo: seq, state, by: party.address, at: toIso(this.deps.clock.now()) });
  }

  private async onPresence(stanza: XmlElement): Promise<void> {
    const type = stanza.attrs.type;
    if (type === 'error') return;
    const party = await this.party(stanza);
    if (!party) {
      const to = stanza.attrs.to;
      if (type === 'subscribe' && to && stanza.attrs.from) await this.send(presenceStanza({ from: to, to: stanza.attrs.from, type: 'unsubscribed' }));
      return;
    }
    const contact = bareJidOf(party.address);
    const self = userJid(party.phone, this.deps.componentDomain);
    if (type === 'subscribe') {
      await this.send(presenceStanza({ from: self, to: contact, type: 'subscribed' }));
      await this.send(availabilityStanza({ from: self, to: contact, status: await this.deps.userStatus(party.userId) }));
      return;
    }
    if (type === 'probe') return this.send(availabilityStanza({ from: self, to: contact, status: await this.deps.userStatus(party.userId) }));
    if (type !== undefined && type !== 'unavailable') return;
    const key = `${party.userId}\n${party.address}`;
    const resources = this.resources.get(key) ?? new Map<string, { status: OutsideStatus; text: string }>();
    const resource = (stanza.attrs.from ?? '').split('/').slice(1).join('/');
    const state = statusOfPresence(stanza);
    if (state.status === 'offline') resources.delete(resource);
    else resources.set(resource, state);
    this.resources.set(key, resources);
    const best = [...resources.values()].sort((a, b) => statusRank[b.status] - statusRank[a.status])[0] ?? { status: 'offline' as const, text: '' };
    const at = this.deps.clock.now();
    await this.deps.repo.setPresence(party.userId, party.address, { ...best, at });
    this.deps.outlet.presence(party.userId, { address: party.address, network: 'xmpp', status: best.status, text: best.text, at: toIso(at) });
  }

  /** Everything of a conversation past its sent mark, in order; the mark moves once the server has it all. */
  private async flush(conversationId: string): Promise<void> {
    const conversation = await this.deps.repo.conversation(conversationId);
    if (!conversation) return;
    const from = await this.jidOf(conversation.userId);
    if (!from) return;
    const waiting: ChatMessage[] = [];
    let before: number | undefined;
    for (;;) {
      const { messages } = await this.deps.messages.history(conversation.userId, conversationId, before, pageSize);
      const newer = messages.filter((message) => message.seq > conversation.sentSeq);
      waiting.push(...newer);
      const oldest = messages.at(-1);
      if (!oldest || newer.length < messages.length || messages.length < pageSize) break;
      before = oldest.seq;
    }
    if (waiting.length === 0) return;
    waiting.sort((a, b) => a.seq - b.seq);
    const to = bareJidOf(conversation.address);
    let sent = 0;
    for (const message of waiting) {
      // Messages from the other side are in the conversation too; they are never sent back.
      if (message.from.network) continue;
      const text = 'attachmentId' in message.body ? `${message.body.caption ?? ''} [a file, on Switchboard]`.trim() : plainTextOf(message.body);
      await this.send(chatMessageStanza({ from, to, id: outboundStanzaId(message.seq, message.id), text }));
      sent += 1;
    }
    // The XMPP server answers stanzas in the order it got them: an answer to this ping means it has taken
    // every message above. Only then do they count as sent; a connection lost before sends them again
    // (same ids, which the receiving side recognises).
    if (sent > 0) await this.barrier(from, domainOf(conversation.address));
    await this.deps.repo.advanceSent(conversationId, waiting.at(-1)?.seq ?? conversation.sentSeq);
  }

  private async barrier(from: string, to: string): Promise<void> {
    try {
      await this.deps.link.request(pingStanza(from, to), barrierTimeoutMs);
    } catch (error) {
      // An error answer (the server does not answer pings) is an answer all the same.
      if ((error as Error).name === 'TimeoutError' || !this.deps.link.online) throw error;
    }
  }

  private async sendReceipts(conversationId: string): Promise<void> {
    const conversation = await this.deps.repo.conversation(conversationId);
    if (!conversation) return;
    const from = await this.jidOf(conversation.userId);
    if (!from) return;
    for (;;) {
      const owed = await this.deps.repo.owedReceipts(conversationId, pageSize);
      for (const receipt of owed) await this.send(receiptStanza({ from, to: receipt.replyTo, id: receipt.stanzaId }));
      await this.deps.repo.markReceiptsSent(conversationId, owed.map((receipt) => receipt.seq));
      if (owed.length < pageSize) break;
    }
    const displayed = await this.deps.repo.owedDisplayed(conversationId);
    if (!displayed) return;
    await this.send(displayedStanza({ from, to: displayed.replyTo, id: displayed.stanzaId }));
    await this.deps.repo.markDisplayed(conversationId, displayed.seq);
  }

  private async sendTyping(userId: string, address: string, state: 'typing' | 'paused'): Promise<void> {
    const from = await this.jidOf(userId);
    if (!from || !(await this.deps.repo.isAllowed(userId, address))) return;
    await this.send(chatStateStanza({ from, to: bareJidOf(address), state }));
  }

  private async subscription(userId: string, address: string, kind: 'subscribe' | 'unsubscribe'): Promise<void> {
    const from = await this.jidOf(userId);
    if (!from) return;
    const to = bareJidOf(address);
    if (kind === 'subscribe') {
      await this.send(presenceStanza({ from, to, type: 'subscribe' }));
      // Pre-approved: they may see whether the user is there, which is how XMPP clients show a contact.
      await this.send(presenceStanza({ from, to, type: 'subscribed' }));
      await this.send(availabilityStanza({ from, to, status: await this.deps.userStatus(userId) }));
    } else {
      await this.send(presenceStanza({ from, to, type: 'unavailable' }));
      await this.send(presenceStanza({ from, to, type: 'unsubscribe' }));
      await this.send(presenceStanza({ from, to, type: 'unsubscribed' }));
    }
  }

  /** Tells a user's outside contacts their status now. */
  private async announceStatus(userId: string): Promise<void> {
    const contacts = await this.deps.repo.contactsOf(userId);
    const from = contacts.length > 0 ? await this.jidOf(userId) : undefined;
    if (!from) return;
    const status = await this.deps.userStatus(userId);
    if (this.announced.get(userId) === status) return;
    if (this.announced.size > 100_000) this.announced.clear();
    this.announced.set(userId, status);
    for (const contact of contacts) await this.send(availabilityStanza({ from, to: bareJidOf(contact.address), status }));
  }

  /** Tells every allowed contact the user's status and asks for theirs (a subscription first, when they never answered one). */
  private async greetContacts(): Promise<void> {
    let after: { userId: string; address: string } | undefined;
    for (;;) {
      const page = await this.deps.repo.allContacts(after, 500);
      const phones = await this.deps.accounts.primaryPhones([...new Set(page.map((contact) => contact.userId))]);
      for (const contact of page) {
        const phone = phones.get(contact.userId);
        if (!phone) continue;
        const from = userJid(phone, this.deps.componentDomain);
        const to = bareJidOf(contact.address);
        if (!contact.presence) await this.send(presenceStanza({ from, to, type: 'subscribe' }));
        await this.send(availabilityStanza({ from, to, status: await this.deps.userStatus(contact.userId) }));
        await this.send(presenceStanza({ from, to, type: 'probe' }));
      }
      const last = page.at(-1);
      if (!last || page.length < 500) return;
      after = { userId: last.userId, address: last.address };
    }
  }

  private async jidOf(userId: string): Promise<string | undefined> {
    const phone = (await this.deps.accounts.primaryPhones([userId])).get(userId);
    return phone ? userJid(phone, this.deps.componentDomain) : undefined;
  }
}
