import type { ChatMessage, ConversationView } from '#common/contract/messages.js';
import { toIso } from '../../platform/clock.js';
import type { AccountService } from '../identity/account.service.js';
import type { OutsideNetworks } from './messages.service.js';
import type { ConversationRecord, MessageRecord, MessagesRepository } from './messages.repository.js';

/** Stored messages and conversations as the contract shows them: senders with their numbers, or their outside address. */
export class MessageViews {
  constructor(
    private readonly deps: {
      repo: MessagesRepository;
      accounts: AccountService;
      outside?: () => OutsideNetworks | undefined;
    },
  ) {}

  /** A conversation as its members see it: members with their numbers, the last message, what is unread. */
  async conversation(conversation: ConversationRecord, readUpTo: number): Promise<ConversationView> {
    const members = await this.deps.repo.activeMembers(conversation.id);
    const phones = await this.deps.accounts.primaryPhones(members);
    const last = await this.deps.repo.lastMessage(conversation.id);
    const [lastMessage] = last ? await this.messages([last]) : [];
    const outsideParty = members.length === 1 && conversation.kind === 'direct' ? await this.deps.outside?.()?.partyOf(conversation.id) : undefined;
    return {
      id: conversation.id,
      kind: conversation.kind,
      ...(conversation.title === null ? {} : { title: conversation.title }),
      members: [...members.map((userId) => ({ userId, phone: phones.get(userId) ?? '' })), ...(outsideParty ? [outsideParty] : [])],
      ...(lastMessage ? { lastMessage } : {}),
      unread: Math.max(0, conversation.lastSeq - readUpTo),
    };
  }

  async messages(messages: MessageRecord[]): Promise<ChatMessage[]> {
    const phones = await this.deps.accounts.primaryPhones(messages.map((m) => m.senderId));
    return messages.map((m) => this.message(m, phones.get(m.senderId) ?? ''));
  }

  message(m: MessageRecord, senderPhone: string): ChatMessage {
    return {
      id: m.id,
      clientId: m.clientId,
      conversationId: m.conversationId,
      seq: m.seq,
      from: this.deps.outside?.()?.senderOf(m) ?? { userId: m.senderId, phone: senderPhone },
      body: m.body,
      sentAt: toIso(m.sentAt),
    };
  }
}
