import { randomUUID } from 'node:crypto';
import { outsideAddress, type OutsideContact } from '#common/contract/interworking.js';
import type { MessageParty } from '#common/contract/messages.js';
import { ApiError } from '../../http/api-error.js';
import { toIso, type Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { ConversationRecord, CursorKind, MessageRecord } from '../messages/messages.repository.js';
import type { OutsideNetworks } from '../messages/messages.service.js';
import { domainOf, senderOfClientId } from './addresses.js';
import type { InterworkingRepository, OutsideContactRecord } from './interworking.repository.js';
import type { RelayCommand } from './relay.js';
import type { TypingState } from './stanzas.js';

export function contactView(contact: OutsideContactRecord): OutsideContact {
  return {
    address: contact.address,
    network: contact.network,
    addedAt: toIso(contact.addedAt),
    ...(contact.presence ? { presence: { status: contact.presence.status, text: contact.presence.text, at: toIso(contact.presence.at) } } : {}),
  };
}

const outsideParty = (address: string): MessageParty => ({ userId: '', phone: '', address, network: 'xmpp' });

/**
 * Interworking (M28) as the rest of the server sees it: each user's allowlist of outside addresses, and
 * the messages feature's view of conversations with them. What must reach the XMPP server is handed to
 * `dispatch`, which finds the node holding the component connection.
 */
export class InterworkingService implements OutsideNetworks {
  constructor(
    private readonly deps: {
      repo: InterworkingRepository;
      /** The component's domain: an address there would be one of our own users, a loop. */
      componentDomain: string;
      dispatch: (command: RelayCommand) => void;
      clock: Clock;
      log: Logger;
    },
  ) {}

  async contacts(userId: string): Promise<OutsideContact[]> {
    return (await this.deps.repo.contactsOf(userId)).map(contactView);
  }

  async allow(userId: string, address: string): Promise<OutsideContact> {
    this.requireOutside(address);
    const { contact, created } = await this.deps.repo.allow(userId, address, 'xmpp', this.deps.clock.now());
    // Asking for their presence is also how they learn that they may write.
    if (created) this.deps.dispatch({ kind: 'subscribe', userId, address });
    return contactView(contact);
  }

  async remove(userId: string, address: string): Promise<void> {
    if (await this.deps.repo.disallow(userId, address)) this.deps.dispatch({ kind: 'unsubscribe', userId, address });
  }

  /** Typing in a conversation with an outside address (XEP-0085 on the other side). */
  typing(userId: string, address: string, state: TypingState): void {
    const parsed = outsideAddress.safeParse(address);
    if (parsed.success) this.deps.dispatch({ kind: 'typing', userId, address: parsed.data, state });
  }

  /** A user's own presence changed (on whichever node published it): their outside contacts hear of it. */
  userPresenceChanged(userId: string): void {
    this.deps.dispatch({ kind: 'presence', userId });
  }

  async deleteUser(userId: string): Promise<void> {
    await this.deps.repo.deleteUser(userId);
  }

  // The messages feature's side (OutsideNetworks).

  /** Writing to an address also allows it to answer. */
  async conversationWith(userId: string, address: string): Promise<ConversationRecord> {
    await this.allow(userId, address);
    return this.deps.repo.conversationWith(randomUUID(), userId, address, 'xmpp', this.deps.clock.now());
  }

  senderOf(message: MessageRecord): MessageParty | undefined {
    const address = senderOfClientId(message.clientId);
    return address === undefined ? undefined : outsideParty(address);
  }

  async partyOf(conversationId: string): Promise<MessageParty | undefined> {
    const conversation = await this.deps.repo.conversation(conversationId);
    return conversation && outsideParty(conversation.address);
  }

  stored(message: MessageRecord): void {
    // What came from outside never goes back out: no echo, no loop.
    if (this.senderOf(message)) return;
    this.deps.dispatch({ kind: 'flush', conversationId: message.conversationId });
  }

  cursorMoved(kind: CursorKind, _userId: string, conversationId: string, upTo: number): void {
    // Reading implies delivery: both owe the sender its XEP-0184 receipts; reading, its XEP-0333 marker.
    this.deps.repo.advanceDelivered(conversationId, upTo, kind === 'read').then(
      () => this.deps.dispatch({ kind: 'receipts', conversationId }),
      (error: unknown) => this.deps.log.warn({ reason: (error as Error).message }, 'could not record what reached a device of an outside conversation'),
    );
  }

  private requireOutside(address: string): void {
    if (domainOf(address) === this.deps.componentDomain) {
      throw new ApiError(400, 'validation_failed', 'that address is a Switchboard user reached through this server; write to their number instead', { field: 'address' });
    }
  }
}
