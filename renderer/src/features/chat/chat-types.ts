import type { ChatMessage, MessageBody, MessageParty, MessageTarget, SendableMessageBody } from '#common/contract/messages.js';

/**
 * What the chat keeps on the device (IndexedDB through dexie, db/local-db.ts version 4). The history
 * is the user's: it shows at once on start, works offline, and is searched here, never on the server.
 */

/** A file picked on this device and not uploaded yet: it waits in the outbox with its message. */
export interface PendingFile {
  blob: Blob;
  name: string;
  type: string;
}

/** A sent message's body, or one whose file still waits to be uploaded. */
export type LocalMessageBody = MessageBody | { pendingFile: PendingFile; caption?: string };
/** What the outbox may send: text, a file (uploaded or still waiting); never a call log entry, which only the server writes. */
export type OutboxBody = SendableMessageBody | { pendingFile: PendingFile; caption?: string };

export type LocalMessageState = 'sending' | 'failed' | 'sent';

export interface LocalChatMessage {
  /**
   * `sender:clientId`: the message written here, its acknowledgement, its echo to my other devices and
   * the server's history page are one row, so a retry or a replay can never show it twice.
   */
  key: string;
  conversationId: string;
  /** The sequence number once stored; a message still waiting sorts after all of them, in writing order. */
  position: number;
  seq?: number;
  id?: string;
  clientId: string;
  from: ChatMessage['from'];
  body: LocalMessageBody;
  sentAt: string;
  state: LocalMessageState;
  /** The server's reason for refusing it (an error code), shown in words beside "Retry". */
  failure?: string;
  /** Text and caption in lower case, for the local search. */
  searchText: string;
}

export interface MemberProgress {
  delivered: number;
  read: number;
}

export interface LocalConversation {
  /** The server's id, or `draft:<userId>` (`draft:xmpp:<address>`) for a direct conversation that has no message yet. */
  id: string;
  kind: 'direct' | 'group';
  title?: string;
  /** Members; someone on another network (M28) has empty userId and phone, and an address. */
  members: MessageParty[];
  lastMessage?: { from: string; body: LocalMessageBody; sentAt: string };
  /** ISO time of the newest message (or of creation): the list is ordered by it, newest first. */
  lastActivityAt: string;
  /** The highest sequence number known in this conversation. */
  lastSeq: number;
  /** How far I have read (sent as `message:read`). */
  readUpTo: number;
  /** Per other member, how far their devices got (from `receipt` events): the ticks of my messages. */
  progress: Record<string, MemberProgress>;
  /** The server holds no older history than what this device has. */
  historyComplete: boolean;
  /**
   * A group I am no longer in: I left it here, or the server stopped listing it (removed, or left on
   * another device). Its history stays readable; nothing can be written to it.
   */
  left?: 'left' | 'removed';
}

export interface ChatOutboxEntry {
  /** The key of the message it sends (`me:clientId`). */
  key: string;
  clientId: string;
  conversationId: string;
  to: MessageTarget;
  body: OutboxBody;
  createdAt: number;
  /** Set once the file went up, so a retry sends the message without uploading again. */
  uploadedAttachmentId?: string;
}

/** A picture's thumbnail or a file's bytes, kept once fetched; `info` holds only the content type. */
export interface ChatFile {
  attachmentId: string;
  variant: 'thumbnail' | 'info';
  blob?: Blob;
  contentType?: string;
}

export const draftPrefix = 'draft:';
