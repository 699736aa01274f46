import { ApiFailure } from '../../api/failure.js';
import { api, useApp } from '../../app/app-store.js';
import { localDb } from '../../db/local-db.js';
import { contiguousRun, fromServer, isDraft, preferStored } from './chat-logic.js';
import type { LocalChatMessage } from './chat-types.js';

export const historyPageSize = 50;

export interface HistoryPage {
  /** Oldest first. */
  messages: LocalChatMessage[];
  /** Older messages may exist. */
  more: boolean;
  /** The server said it has nothing older than this page. */
  complete: boolean;
}

/**
 * One page of a conversation's history, older than `oldestLoaded` (or the newest page): from the device
 * when it holds it without gaps, otherwise filled from the server's retained copy, which is then kept on
 * the device too. Offline, whatever the device has.
 */
export async function loadHistoryPage(conversationId: string, oldestLoaded: LocalChatMessage | undefined): Promise<HistoryPage> {
  const upper = oldestLoaded?.position ?? Number.POSITIVE_INFINITY;
  const local = (
    await localDb.chatMessages
      .where('[conversationId+position]')
      .between([conversationId, Number.NEGATIVE_INFINITY], [conversationId, upper], true, false)
      .reverse()
      .limit(historyPageSize)
      .toArray()
  ).reverse();
  const conversation = await localDb.chatConversations.get(conversationId);
  const online = useApp.getState().connection === 'online';
  if (conversation === undefined || isDraft(conversationId) || conversation.historyComplete || !online) {
    return { messages: local, more: local.length === historyPageSize, complete: conversation?.historyComplete ?? true };
  }
  const pending = local.filter((message) => message.seq === undefined);
  const stored = local.filter((message) => message.seq !== undefined);
  const newest = oldestLoaded?.seq !== undefined ? oldestLoaded.seq - 1 : conversation.lastSeq;
  const run = contiguousRun(stored, newest);
  if (run.length >= historyPageSize || newest <= 0 || (run[0]?.seq ?? newest + 1) <= 1) {
    return { messages: [...run, ...pending], more: (run[0]?.seq ?? 1) > 1, complete: false };
  }
  const before = run[0]?.seq ?? newest + 1;
  try {
    const page = await api().conversationMessages(conversationId, before, historyPageSize);
    const fetched = page.messages.map(fromServer);
    const existing = await localDb.chatMessages.bulkGet(fetched.map((message) => message.key));
    const kept = fetched.map((message, index) => preferStored(existing[index], message));
    await localDb.chatMessages.bulkPut(kept);
    const complete = page.messages.length < historyPageSize;
    return { messages: [...kept.sort((a, b) => a.position - b.position), ...run, ...pending], more: !complete, complete };
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    // The server's copy is out of reach (offline, retention): the device's own history is what shows.
    return { messages: local, more: local.length === historyPageSize, complete: false };
  }
}
