import { randomUUID } from 'node:crypto';
import { maxGroupMembers, type ConversationView } from '#common/contract/messages.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { ContactsService } from '../contacts/contacts.service.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { MessageViews } from './message-views.js';
import type { MessageOutlet } from './messages.service.js';
import type { ConversationRecord, MessagesRepository } from './messages.repository.js';

/**
 * Group chats (M25): made, renamed and joined only with contacts who allow it; every member's devices
 * hear of a change and fetch the list again. Their messages go through `MessagesService` like any other.
 */
export class GroupsService {
  constructor(
    private readonly deps: {
      repo: MessagesRepository;
      contacts: ContactsService;
      privacy: PrivacyService;
      outlet: MessageOutlet;
      views: MessageViews;
      clock: Clock;
    },
  ) {}

  /** The group's title (for a relay to a phone), or undefined for a direct conversation. */
  async groupTitle(conversationId: string): Promise<string | undefined> {
    const conversation = await this.deps.repo.findConversation(conversationId);
    return conversation?.kind === 'group' ? (conversation.title ?? '') : undefined;
  }

  async createGroup(creatorId: string, title: string, memberIds: string[]): Promise<ConversationView> {
    const members = [...new Set(memberIds.filter((id) => id !== creatorId))];
    await this.requireReachableContacts(creatorId, members);
    const group = await this.deps.repo.createGroup(randomUUID(), title, [creatorId, ...members], this.deps.clock.now());
    return this.deps.views.conversation(group, 0);
  }

  async renameGroup(userId: string, groupId: string, title: string): Promise<ConversationView> {
    const group = await this.activeGroup(userId, groupId);
    await this.deps.repo.renameGroup(groupId, title);
    const view = await this.deps.views.conversation({ ...group, title }, 0);
    this.deps.outlet.conversationChanged(view.members.map((member) => member.userId).filter(Boolean), groupId);
    return view;
  }

  async addMember(userId: string, groupId: string, newMemberId: string): Promise<void> {
    await this.activeGroup(userId, groupId);
    await this.requireReachableContacts(userId, [newMemberId]);
    if ((await this.deps.repo.addMember(groupId, newMemberId, maxGroupMembers)) === 'full') {
      throw new ApiError(409, 'group_full', `a group has at most ${maxGroupMembers} members`, { limit: maxGroupMembers });
    }
    this.deps.outlet.conversationChanged(await this.deps.repo.activeMembers(groupId), groupId);
  }

  /** Removing myself is leaving. */
  async removeMember(userId: string, groupId: string, memberId: string): Promise<void> {
    await this.activeGroup(userId, groupId);
    if (!(await this.deps.repo.removeMember(groupId, memberId))) throw new ApiError(404, 'not_found', 'not a member of this group');
    this.deps.outlet.conversationChanged([...(await this.deps.repo.activeMembers(groupId)), memberId], groupId);
  }

  private async activeGroup(userId: string, groupId: string): Promise<ConversationRecord> {
    const group = await this.deps.repo.findConversation(groupId);
    const member = group && (await this.deps.repo.membership(groupId, userId));
    if (!group || group.kind !== 'group' || !member || member.leftSeq !== null) throw new ApiError(404, 'not_found', 'no such group');
    return group;
  }

  /**
   * Only people in my contacts, neither of us blocked the other, and each lets me add them to groups
   * (everyone who can find them; only people in their own address book, `mutual` here; or nobody).
   * The setting is read at the add: changing it later does not take anyone out of a group.
   */
  private async requireReachableContacts(userId: string, candidates: string[]): Promise<void> {
    if (candidates.length === 0) return;
    const contacts = new Map((await this.deps.contacts.contacts(userId)).filter((c) => !c.blocked).map((c) => [c.userId, c]));
    for (const candidate of candidates) {
      if (!contacts.has(candidate) || (await this.deps.privacy.eitherBlocked(userId, candidate))) {
        throw new ApiError(403, 'not_a_contact', 'only your contacts who have not blocked you can be added', { userId: candidate });
      }
    }
    const settings = await this.deps.privacy.settingsOf(candidates);
    const refusing = candidates.filter((candidate) => {
      const addsBy = settings.get(candidate)?.groupAddsBy ?? 'everyone';
      return addsBy === 'nobody' || (addsBy === 'contacts' && contacts.get(candidate)?.mutual !== true);
    });
    if (refusing.length > 0) {
      throw new ApiError(403, 'group_add_refused', 'these people do not let you add them to groups; write to them instead', { userIds: refusing, count: refusing.length });
    }
  }
}
