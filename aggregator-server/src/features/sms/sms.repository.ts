/** A phone signed in to an account by SMS (seed 004). */
export type GatewaySession = {
  phone: string;
  userId: string;
  sessionId: string;
  deviceId: string;
  language: 'en' | 'zh';
  lastConversationId: string | null;
  signedInAt: number;
};

/** One daily counter to charge: `amount` more must stay within `limit` for the key's UTC day. */
export type DailyCharge = { key: string; limit: number };

/** Storage of the SMS feature; the same behaviour on SQLite and PostgreSQL. */
export interface SmsRepository {
  isOptedOut(phoneHash: string): Promise<boolean>;
  /** Answers whether the state changed (a repeated STOP is not news). */
  setOptedOut(phoneHash: string, optedOut: boolean, now: number): Promise<boolean>;

  /**
   * Adds `amount` to every counter of `day`, all or none: false (and nothing counted) when any counter
   * would go over its limit. Atomic under parallel callers on any node.
   */
  chargeDaily(charges: DailyCharge[], day: number, amount: number): Promise<boolean>;

  /** True the first time a key is seen within `windowMs`; false for a repeat (atomic). */
  firstSighting(dedupeKey: string, now: number, windowMs: number): Promise<boolean>;
  /** Forgets a key, so that its next sighting counts as the first (an action that failed is tried again). */
  forgetSighting(dedupeKey: string): Promise<void>;
  /** Drops de-duplication keys and counters older than `before`. */
  purgeBefore(before: number, beforeDay: number): Promise<void>;

  gatewaySession(phone: string): Promise<GatewaySession | undefined>;
  gatewaySessionsOfUsers(userIds: string[]): Promise<GatewaySession[]>;
  /** Replaces whatever session the phone had. */
  saveGatewaySession(session: GatewaySession): Promise<void>;
  setLastConversation(phone: string, conversationId: string): Promise<void>;
  deleteGatewaySession(phone: string): Promise<GatewaySession | undefined>;
  deleteGatewaySessionsBySession(sessionIds: string[]): Promise<void>;
  deleteGatewaySessionsOfUser(userId: string): Promise<void>;
}
