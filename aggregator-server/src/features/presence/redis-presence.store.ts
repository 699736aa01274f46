import type { RedisClientType } from 'redis';
import type { ConnectionState, PresenceStore, UserState } from './presence.store.js';

/**
 * Presence shared by several nodes. Keys (under the deployment prefix):
 * `pres:conn:<id>` the connection's JSON, `pres:conns:<user>` the user's connection ids,
 * `pres:expiry` a sorted set of connection ids by expiry, `pres:state:<user>` what the user set,
 * `pres:pub:<user>` the last presence published for the user.
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return `${this.prefix}pres:${parts.join(':')}`;
  }

  async putConnection(state: ConnectionState, expiresAt: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.key('conn', state.id), JSON.stringify(state))
      .sAdd(this.key('conns', state.userId), state.id)
      .zAdd(this.key('expiry'), { score: expiresAt, value: state.id })
      .exec();
  }

  async getConnection(id: string): Promise<ConnectionState | undefined> {
    const raw = await this.redis.get(this.key('conn', id));
    return raw === null ? undefined : (JSON.parse(raw) as ConnectionState);
  }

  async touch(ids: string[], expiresAt: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const multi = this.redis.multi();
    // XX: only move connections that still exist; CH: report whether each one did.
    for (const id of ids) multi.zAdd(this.key('expiry'), { score: expiresAt, value: id }, { XX: true, CH: true });
    const results = (await multi.exec()) as unknown as number[];
    const unchanged = ids.filter((_, index) => Number(results[index]) === 0);
    if (unchanged.length === 0) return [];
    // CH also reports 0 when the score was already equal, so look those up.
    const scores = await Promise.all(unchanged.map((id) => this.redis.zScore(this.key('expiry'), id)));
    return unchanged.filter((_, index) => scores[index] === null);
  }

  async claimExpired(now: number, limit: number): Promise<ConnectionState[]> {
    const expired = await this.redis.zRangeByScore(this.key('expiry'), '-inf', now, { LIMIT: { offset: 0, count: limit } });
    const claimed: ConnectionState[] = [];
    for (const id of expired) {
      // ZREM succeeds for exactly one node, which then owns the clean-up.
      if ((await this.redis.zRem(this.key('expiry'), id)) !== 1) continue;
      const raw = await this.redis.get(this.key('conn', id));
      if (raw === null) continue;
      const state = JSON.parse(raw) as ConnectionState;
      await this.redis.multi().del(this.key('conn', id)).sRem(this.key('conns', state.userId), id).exec();
      claimed.push(state);
    }
    return claimed;
  }

  async connectionsOf(userIds: string[]): Promise<Map<string, ConnectionState[]>> {
    const out = new Map<string, ConnectionState[]>();
    if (userIds.length === 0) return out;
    const idLists = await Promise.all(userIds.map((userId) => this.redis.sMembers(this.key('conns', userId))));
    const allIds = idLists.flat();
    const raws = allIds.length ? await this.redis.mGet(allIds.map((id) => this.key('conn', id))) : [];
    const byId = new Map<string, ConnectionState>();
    allIds.forEach((id, index) => {
      const raw = raws[index];
      if (typeof raw === 'string') byId.set(id, JSON.parse(raw) as ConnectionState);
    });
    userIds.forEach((userId, index) => {
      out.set(userId, (idLists[index] ?? []).flatMap((id) => byId.get(id) ?? []));
    });
    return out;
  }

  async userStates(userIds: string[]): Promise<Map<string, UserState>> {
    const out = new Map<string, UserState>();
    if (userIds.length === 0) return out;
    const raws = await this.redis.mGet(userIds.map((userId) => this.key('state', userId)));
    userIds.forEach((userId, index) => {
      const raw = raws[index];
      if (typeof raw === 'string') out.set(userId, JSON.parse(raw) as UserState);
    });
    return out;
  }

  async setUserState(userId: string, state: UserState): Promise<void> {
    await this.redis.set(this.key('state', userId), JSON.stringify(state));
  }

  async swapPublished(userId: string, published: string): Promise<string | undefined> {
    const previous = await this.redis.set(this.key('pub', userId), published, { GET: true });
    return typeof previous === 'string' ? previous : undefined;
  }

  async close(): Promise<void> {}
}
