import type { imStatuses } from '#common/contract/socket-events.js';

export type ImStatus = (typeof imStatuses)[number];

/** One socket's share of a user's presence: the apps running on the device behind it. */
export type ConnectionState = {
  id: string;
  userId: string;
  deviceId: string;
  /** plugin id -> epoch ms when this connection first reported it */
  apps: Record<string, number>;
};

/** What the user set, whichever device set it. */
export type UserState = { status: ImStatus; text: string };

/**
 * Presence shared by every node: in memory for one node, in Redis for several. Connections carry an
 * expiry that their node keeps pushing forward; a connection whose node stops doing so (it closed, or the
 * node died) expires after the grace period and is swept by whichever node claims it first.
 */
export interface PresenceStore {
  putConnection(state: ConnectionState, expiresAt: number): Promise<void>;
  getConnection(id: string): Promise<ConnectionState | undefined>;
  /** Pushes the expiry of live connections forward; returns the ids that were already swept. */
  touch(ids: string[], expiresAt: number): Promise<string[]>;
  /** Removes connections that expired before `now`; each one is returned to exactly one caller. */
  claimExpired(now: number, limit: number): Promise<ConnectionState[]>;
  connectionsOf(userIds: string[]): Promise<Map<string, ConnectionState[]>>;
  userStates(userIds: string[]): Promise<Map<string, UserState>>;
  setUserState(userId: string, state: UserState): Promise<void>;
  /** Stores the last published presence of a user and returns the one before it (atomically). */
  swapPublished(userId: string, published: string): Promise<string | undefined>;
  close(): Promise<void>;
}
