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
};

/** A message from outside whose sender asked for a delivery receipt (XEP-0184). */
export type OwedReceipt = { seq: number; stanzaId: string; replyTo: string };

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
  /** Moves the acknowledged mark forward (never back). */
  advanceDelivered(conversationId: string, seq: number): Promise<void>;

  recordInbound(conversationId: string, receipt: OwedReceipt): Promise<void>;
  /** Receipts owed for messages the user's devices acknowledged, oldest first. */
  owedReceipts(conversationId: string, limit: number): Promise<OwedReceipt[]>;
  conversationsOwingReceipts(limit: number): Promise<string[]>;
  markReceiptsSent(conversationId: string, seqs: number[]): Promise<void>;

  deleteUser(userId: string): Promise<void>;

  /** Takes the lease when it is free or expired, or renews it for its holder; true when `holder` holds it now. */
  holdLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}
