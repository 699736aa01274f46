import type { ConnectionState, PresenceStore, UserState } from './presence.store.js';

/** The single-node presence store. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly connections = new Map<string, { state: ConnectionState; expiresAt: number }>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly users = new Map<string, UserState>();
  private readonly published = new Map<string, string>();

  async putConnection(state: ConnectionState, expiresAt: number): Promise<void> {
    this.connections.set(state.id, { state: structuredClone(state), expiresAt });
    const ids = this.byUser.get(state.userId) ?? new Set<string>();
    ids.add(state.id);
    this.byUser.set(state.userId, ids);
  }

  async getConnection(id: string): Promise<ConnectionState | undefined> {
    const entry = this.connections.get(id);
    return entry && structuredClone(entry.state);
  }

  async touch(ids: string[], expiresAt: number): Promise<string[]> {
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.connections.get(id);
      if (entry) entry.expiresAt = expiresAt;
      else missing.push(id);
    }
    return missing;
  }

  async claimExpired(now: number, limit: number): Promise<ConnectionState[]> {
    const claimed: ConnectionState[] = [];
    for (const [id, entry] of this.connections) {
      if (claimed.length >= limit) break;
      if (entry.expiresAt > now) continue;
      this.connections.delete(id);
      const ids = this.byUser.get(entry.state.userId);
      ids?.delete(id);
      if (ids?.size === 0) this.byUser.delete(entry.state.userId);
      claimed.push(entry.state);
    }
    return claimed;
  }

  async connectionsOf(userIds: string[]): Promise<Map<string, ConnectionState[]>> {
    const out = new Map<string, ConnectionState[]>();
    for (const userId of userIds) {
      const ids = [...(this.byUser.get(userId) ?? [])];
      out.set(
        userId,
        ids.flatMap((id) => {
          const entry = this.connections.get(id);
          return entry ? [entry.state] : [];
        }),
      );
    }
    return out;
  }

  async userStates(userIds: string[]): Promise<Map<string, UserState>> {
    const out = new Map<string, UserState>();
    for (const userId of userIds) {
      const state = this.users.get(userId);
      if (state) out.set(userId, state);
    }
    return out;
  }

  async setUserState(userId: string, state: UserState): Promise<void> {
    this.users.set(userId, state);
  }

  async swapPublished(userId: string, published: string): Promise<string | undefined> {
    const previous = this.published.get(userId);
    this.published.set(userId, published);
    return previous;
  }

  async close(): Promise<void> {}
}
