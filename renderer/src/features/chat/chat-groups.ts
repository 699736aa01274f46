import { api } from '../../app/app-store.js';
import { describeFailure } from '../../api/failure.js';
import { me, useChat } from './chat-store.js';

/**
 * A group managed from the chat screen: its name, its members, leaving it. The server decides who may do
 * what (only contacts can be added; a removed member receives nothing after); this says it and shows the
 * result by asking for the conversation list again.
 */

/** Someone the server would not add, and its answer, shown in words beside their name. */
export interface Refusal {
  userId: string;
  error: unknown;
}

/** The change is made; a list that cannot be fetched now comes with the next refresh (focus, reconnect). */
async function showChange(): Promise<void> {
  await useChat
    .getState()
    .refresh()
    .catch((error: unknown) => console.warn('could not fetch the conversations', error));
}

export async function renameGroup(groupId: string, title: string): Promise<void> {
  const view = await api().renameGroup(groupId, title);
  await useChat.getState().patchConversation(groupId, (conversation) => ({ ...conversation, title: view.title ?? title }));
}

/** The server adds one person per request: each is tried, and those refused are answered with why. */
export async function addGroupMembers(groupId: string, userIds: readonly string[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  for (const userId of userIds) {
    try {
      await api().addGroupMember(groupId, userId);
    } catch (error) {
      refused.push({ userId, error });
    }
  }
  if (refused.length < userIds.length) await showChange();
  return refused;
}

/**
 * "Not found" means the person was removed already (by another member meanwhile) or I am out of the group
 * myself: either way the list, asked for again, shows how things are, which is no failure to report.
 */
export async function removeGroupMember(groupId: string, userId: string): Promise<void> {
  try {
    await api().removeGroupMember(groupId, userId);
  } catch (error) {
    if (describeFailure(error).code !== 'not_found') throw error;
  }
  await showChange();
}

/**
 * Leaving keeps the conversation and its history on this device, marked left (nothing can be written to
 * it). Already out of it (removed meanwhile, or left on another device) is no failure: it shows as such.
 */
export async function leaveGroup(groupId: string): Promise<void> {
  const self = me().userId;
  let how: 'left' | 'removed' = 'left';
  try {
    await api().removeGroupMember(groupId, self);
  } catch (error) {
    if (describeFailure(error).code !== 'not_found') throw error;
    how = 'removed';
  }
  await useChat.getState().patchConversation(groupId, (conversation) => ({
    ...conversation,
    left: how,
    members: conversation.members.filter((member) => member.userId !== self),
  }));
}
