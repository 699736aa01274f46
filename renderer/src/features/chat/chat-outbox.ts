import type { ChatMessage, SendableMessageBody } from '#common/contract/messages.js';
import { ApiFailure } from '../../api/failure.js';
import { api } from '../../app/app-store.js';
import { localDb } from '../../db/local-db.js';
import { fromServer, isDraft, withMessage } from './chat-logic.js';
import { chatOnline, sendMessage } from './chat-socket.js';
import { me, moveDraft, onWritten, useChat } from './chat-store.js';
import type { ChatOutboxEntry, LocalChatMessage } from './chat-types.js';
import { keepFile } from './chat-files.js';

let running: Promise<void> | undefined;
let again = false;

/**
 * Sends what waits in the outbox, oldest first, whenever the socket is up: after writing, after every
 * reconnect, after "Retry". Each message keeps its clientId across attempts, so a send whose answer was
 * lost and is made again gives back the one stored message, never a second.
 */
export function flushOutbox(): Promise<void> {
  if (running !== undefined) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await sendAll();
    } while (again);
  })()
    .catch((error: unknown) => console.warn('the outbox could not be sent', error))
    .finally(() => {
      running = undefined;
    });
  return running;
}

async function sendAll(): Promise<void> {
  const entries = await localDb.chatOutbox.orderBy('createdAt').toArray();
  for (const entry of entries) {
    if (!chatOnline()) return;
    const message = await localDb.chatMessages.get(entry.key);
    // A refused message waits for the person's "Retry"; one deleted meanwhile is gone from the outbox too.
    if (message === undefined) {
      await localDb.chatOutbox.delete(entry.key);
      continue;
    }
    if (message.state === 'failed') continue;
    const sent = await sendOne(entry, message);
    if (sent === 'offline') return;
  }
}

async function sendOne(entry: ChatOutboxEntry, message: LocalChatMessage): Promise<'sent' | 'failed' | 'offline'> {
  let body: SendableMessageBody;
  if ('pendingFile' in entry.body) {
    const file = entry.body.pendingFile;
    let attachmentId = entry.uploadedAttachmentId;
    if (attachmentId === undefined) {
      try {
        attachmentId = (await api().uploadAttachment(file.blob, file.name)).attachmentId;
      } catch (error) {
        if (error instanceof ApiFailure && (error.offline || error.status >= 500)) return 'offline';
        await markFailed(message, error instanceof ApiFailure ? error.code : 'internal_error');
        return 'failed';
      }
      await localDb.chatOutbox.update(entry.key, { uploadedAttachmentId: attachmentId });
      // The picture is on this device already: it shows from here, with no download of its own thumbnail.
      if (file.type.startsWith('image/')) await keepFile(attachmentId, file.blob, file.type);
    }
    body = entry.body.caption === undefined || entry.body.caption === '' ? { attachmentId } : { attachmentId, caption: entry.body.caption };
  } else {
    body = entry.body;
  }
  const answer = await sendMessage({ clientId: entry.clientId, to: entry.to, body });
  if (answer === 'offline') return 'offline';
  if ('error' in answer) {
    await markFailed(message, answer.error.code);
    // No such conversation for me: I may have been removed from the group, which the list then shows.
    if (answer.error.code === 'not_found') void useChat.getState().refresh().catch((error: unknown) => console.warn('could not fetch the conversations', error));
    return 'failed';
  }
  await delivered(entry, message, answer.message);
  return 'sent';
}

async function markFailed(message: LocalChatMessage, code: string): Promise<void> {
  const failed: LocalChatMessage = { ...message, state: 'failed', failure: code };
  await localDb.chatMessages.put(failed);
  useChat.getState().showMessages([failed]);
}

/** Stored on the server: the row becomes the stored message (same key), and a draft becomes its conversation. */
async function delivered(entry: ChatOutboxEntry, pending: LocalChatMessage, stored: ChatMessage | undefined): Promise<void> {
  // A text to a number without Switchboard left as an SMS: nothing is stored, it simply went.
  const message: LocalChatMessage = stored === undefined ? { ...pending, state: 'sent' } : fromServer(stored);
  if (isDraft(entry.conversationId) && stored !== undefined) await moveDraft(entry.conversationId, stored.conversationId);
  await localDb.transaction('rw', [localDb.chatMessages, localDb.chatOutbox], async () => {
    await localDb.chatMessages.put(message);
    await localDb.chatOutbox.delete(entry.key);
  });
  const state = useChat.getState();
  state.showMessages([message]);
  if (stored !== undefined) await state.patchConversation(message.conversationId, (conversation) => withMessage(conversation, message, me().userId));
}

/** "Retry" on a refused message: it goes back in line, with the same clientId. */
export async function retry(key: string): Promise<void> {
  const message = await localDb.chatMessages.get(key);
  if (message === undefined || message.state !== 'failed') return;
  const waiting: LocalChatMessage = { ...message, state: 'sending' };
  delete waiting.failure;
  await localDb.chatMessages.put(waiting);
  useChat.getState().showMessages([waiting]);
  await flushOutbox();
}

/** "Delete" on a refused message: it never leaves the device. */
export async function discard(key: string): Promise<void> {
  await localDb.transaction('rw', [localDb.chatMessages, localDb.chatOutbox], async () => {
    await localDb.chatMessages.delete(key);
    await localDb.chatOutbox.delete(key);
  });
  useChat.setState({ messages: useChat.getState().messages.filter((message) => message.key !== key) });
}

onWritten(() => void flushOutbox());
