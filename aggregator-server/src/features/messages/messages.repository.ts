import type { MessageBody } from '#common/contract/messages.js';

export type ConversationKind = 'direct' | 'group';

export type ConversationRecord = {
  id: string;
  kind: ConversationKind;
  title: string | null;
  lastSeq: number;
  lastActivityAt: number;
};

export type MemberRecord = { conversationId: string; userId: string; joinedSeq: number; leftSeq: number | null };

export type MessageRecord = {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  /** The device it was sent from: it has the message from the send's answer and is never sent it again. */
  senderDeviceId?: string;
  clientId: string;
  body: MessageBody;
  route: 'delivered' | 'stored';
  sms: boolean;
  sentAt: number;
};

/** Where a page of undelivered messages ended (pages run by conversation, then sequence). */
export type MessagePosition = { conversationId: string; seq: number };

export type NewMessage = Omit<MessageRecord, 'seq'>;

export type AttachmentRecord = {
  id: string;
  uploaderId: string;
  contentType: string;
  size: number;
  sha256: string;
  fileName: string | null;
  createdAt: number;
};

export type CursorKind = 'delivered' | 'read';

/** A send to a direct conversation the sender's node already resolved once (see `appendDirect`). */
export type DirectAppend = {
  message: NewMessage;
  receiverId: string;
  /** When the receiver was addressed by number: the number must still be theirs. */
  receiverPhone?: string;
};

export type DirectAppendResult =
  | { kind: 'stored'; message: MessageRecord; senderPhone: string }
  /** The sender used this clientId before: nothing stored. */
  | { kind: 'repeated' }
  /** A condition no longer holds (blocked, number moved, conversation gone): nothing stored. */
  | { kind: 'refused' };

/** Where conversations, members, messages and per-device cursors are kept. */
export interface MessagesRepository {
  findMessageByClientId(senderId: string, clientId: string): Promise<MessageRecord | undefined>;
  /**
   * Stores a message with the conversation's next sequence number, in one transaction; when the
   * sender already sent this clientId, stores nothing and answers the first message.
   */
  appendMessage(message: NewMessage): Promise<{ message: MessageRecord; created: boolean }>;

  /**
   * Stores a message in a direct conversation with its next sequence number, in one atomic step that
   * also checks, against committed data, that the conversation is the pair's, that neither blocked the
   * other and (when given) that the number still belongs to the receiver; otherwise stores nothing.
   */
  appendDirect(append: DirectAppend): Promise<DirectAppendResult>;

  findOrCreateDirect(id: string, userIds: [string, string], now: number): Promise<ConversationRecord>;
  createGroup(id: string, title: string, userIds: string[], now: number): Promise<ConversationRecord>;
  renameGroup(id: string, title: string): Promise<void>;
  findConversation(id: string): Promise<ConversationRecord | undefined>;
  conversationsOf(userId: string): Promise<ConversationRecord[]>;
  /** Current members (not removed). */
  activeMembers(conversationId: string): Promise<string[]>;
  membership(conversationId: string, userId: string): Promise<MemberRecord | undefined>;
  /** Adds (or re-adds) a member unless the group already has `limit` current members; atomic under parallel adds. */
  addMember(conversationId: string, userId: string, limit: number): Promise<'added' | 'full'>;
  removeMember(conversationId: string, userId: string): Promise<boolean>;

  /** The newest first, before `beforeSeq`, within the member's window. */
  history(member: MemberRecord, beforeSeq: number | undefined, limit: number): Promise<MessageRecord[]>;
  lastMessage(conversationId: string): Promise<MessageRecord | undefined>;
  /**
   * Messages of every conversation of the user after this device's delivered cursor, oldest first;
   * `withoutOwn`: not those this device sent (it has them from the send's answer).
   */
  undelivered(userId: string, deviceId: string, after: MessagePosition | undefined, limit: number, withoutOwn: boolean): Promise<MessageRecord[]>;
  /**
   * Moves a member's device cursor forward (never back), capped at what the member may see, in one
   * step; answers the cursor now and the other current members, or undefined for a non-member.
   */
  advanceMemberCursor(kind: CursorKind, userId: string, deviceId: string, conversationId: string, upTo: number): Promise<{ now: number; others: string[] } | undefined>;
  /** The highest read sequence over the user's devices per conversation. */
  readUpTo(userId: string, conversationIds: string[]): Promise<Map<string, number>>;
  /** How far each other member's devices got in each conversation (the furthest device of each): receipts to catch up on. */
  othersProgress(userId: string, conversationIds: string[]): Promise<Map<string, Record<string, { delivered: number; read: number }>>>;
  purgeSentBefore(cutoff: number): Promise<number>;

  addAttachment(attachment: AttachmentRecord): Promise<void>;
  findAttachment(id: string): Promise<AttachmentRecord | undefined>;
  /** Whether a message of a conversation holds the file within the user's membership window. */
  attachmentVisibleTo(attachmentId: string, userId: string): Promise<boolean>;

  /** Account deletion: the ids of the files the user uploaded, and their rows gone. */
  deleteAttachmentsOf(uploaderId: string): Promise<string[]>;
  /** Deletes one of the uploader's files unless a message holds it; false when nothing was deleted. */
  deleteAttachmentUnlessSent(uploaderId: string, attachmentId: string): Promise<boolean>;
  /** Account deletion: the user's direct conversations, whose key names them, with what is left in them. */
  deleteDirectConversationsOf(userId: string): Promise<void>;
}
