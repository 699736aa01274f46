import type { DirectAppend, DirectAppendResult } from './messages.repository.js';

/** A person addressed directly: by number or by user id. */
export type PersonAddress = { phone: string } | { userId: string };

/**
 * The first text of a sender to a person, in two round trips where the checks one by one took seven
 * (PostgreSQL, where each is a round trip, a plan and, for the conversation, a commit of its own).
 */
export interface DirectOpenings {
  /**
   * Whether the sender used this clientId before, and who the address names (a user with a primary
   * number, as `AccountService` finds them), in one read.
   */
  lookUp(senderId: string, clientId: string, to: PersonAddress): Promise<{ repeated: boolean; receiverId?: string }>;
  /**
   * Stores the message in the pair's conversation, made when there is none (with the id
   * `append.message.conversationId`), in one atomic step with the rules of `appendDirect`: nothing is
   * made or stored while either person blocks the other or a number used is no longer the receiver's.
   * The stored message carries the conversation it went to.
   */
  open(append: DirectAppend): Promise<DirectAppendResult>;
}
