import type { OutsideNetwork, OutsidePresence, OutsideStatus } from '#common/contract/interworking.js';
import type { ConversationRecord } from '../messages/messages.repository.js';

export type StoredPresence = { status: OutsideStatus; text: string; at: number };

export type OutsideContactRecord = {
  userId: string;
  address: string;
  network: OutsideNetwork;
  addedAt: number;
  presence: StoredPresence | undefined;
};

/** A user's conversation with an outside address, and how far it went out and was acknowledged. */
export type OutsideConversationRecord = {
  conversationId: string;
  userId: string;
  address: string;
  network: OutsideNetwork;
  /** Every message up to here was handed to the XMPP server (or came from it). */
  sentSeq: number;
  /** The highest sequence a device of the user acknowledged. */
  deliveredSeq: number;
  /** The highest sequence the user read, and up to where the other side was told so (XEP-0333). */
  readSeq: number;
  displayedSeq: number;
};

/** A message from outside whose sender asked for a delivery receipt (XEP-0184). */
export type OwedReceipt = { seq: number; stanzaId: string; replyTo: string };

/** A message from outside as its sender named it, and what its sender asked to hear about it. */
export type InboundRecord = OwedReceipt & { wantsReceipt: boolean; markable: boolean };

export type PresenceUpdate = Omit<OutsidePresence, 'at'> & { at: number };

/** Where the bridge keeps allowed addresses, outside conversations, owed receipts and its lease. */
export interface InterworkingRepository {
  /** Allows an address (again: no change); answers the stored contact. */
  allow(userId: string, address: string, network: OutsideNetwork, now: number): Promise<{ contact: OutsideContactRecord; created: boolean }>;
  disallow(userId: string, address: string): Promise<boolean>;
  contactsOf(userId: string): Promise<OutsideContactRecord[]>;
  isAllowed(userId: string, address: string): Promise<boolean>;
  /** Every allowed address of every user, a page at a time, ordered by (userId, address). */
  allContacts(after: { userId: string; address: string } | undefined, limit: number): Promise<OutsideContactRecord[]>;
  setPresence(userId: string, address: string, presence: PresenceUpdate): Promise<void>;

  /**
   * The user's conversation with an address: a direct conversation of one member (the user), made with
   * its mapping in one transaction on first use.
   */
  conversationWith(newId: string, userId: string, address: string, network: OutsideNetwork, now: number): Promise<ConversationRecord>;
  conversation(conversationId: string): Promise<OutsideConversationRecord | undefined>;
  /** The user's conversation with an address, when there is one already. */
  conversationOf(userId: string, address: string): Promise<OutsideConversationRecord | undefined>;
  /** Conversations with messages past what went out. */
  unsent(limit: number): Promise<string[]>;
  /** Moves the sent mark forward (never back). */
  advanceSent(conversationId: string, seq: number): Promise<void>;
  /** Moves the acknowledged mark forward (never back); with `read`, the read mark too. */
  advanceDelivered(conversationId: string, seq: number, read: boolean): Promise<void>;

  recordInbound(conversationId: string, inbound: InboundRecord): Promise<void>;
  /** Receipts owed for messages the user's devices acknowledged, oldest first. */
  owedReceipts(conversationId: string, limit: number): Promise<OwedReceipt[]>;
  /** Conversations owing receipts or a displayed marker. */
  conversationsOwingReceipts(limit: number): Promise<string[]>;
  markReceiptsSent(conversationId: string, seqs: number[]): Promise<void>;
  /** The newest markable message read but not yet marked displayed, if any; every one before it is covered by it. */
  owedDisplayed(conversationId: string): Promise<OwedReceipt | undefined>;
  /** Moves the displayed mark forward (never back). */
  markDisplayed(conversationId: string, seq: number): Promise<void>;

  deleteUser(userId: string): Promise<void>;

  /** Takes the lease when it is free or expired, or renews it for its holder; true when `holder` holds it now. */
  holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}
