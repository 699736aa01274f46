import type { RedisClientType } from 'redis';
import type { CallRecord, CallStore, CreateOutcome } from './calls.store.js';

/** Deletes a key only while it still holds this value (a user's busy mark may belong to a newer call). */
const deleteIfHolds = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * Calls shared by several nodes. Keys (under the deployment prefix): `call:<id>` the record's JSON,
 * `call:<id>:answer` the winning answer (SET NX), `call:<id>:ended` the end marker (SET NX: one node
 * ends a call), `call:user:<userId>` the call a user is in (SET NX: busy), `call:ringing` a sorted set of
 * unanswered calls by the end of their ring time, which every node sweeps. Everything but that set
 * expires; the sweep drops from it what has gone.
 */
export class RedisCallStore implements CallStore {
  constructor(
    private readonly redis: RedisClientType,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return `${this.prefix}call:${parts.join(':')}`;
  }

  private ringingKey(): string {
    return this.key('ringing');
  }

  async create(call: CallRecord, ttlMs: number): Promise<CreateOutcome> {
    const expiration = { type: 'PX', value: ttlMs } as const;
    const callerKey = this.key('user', call.callerId);
    if ((await this.redis.set(callerKey, call.id, { condition: 'NX', expiration })) === null) return 'caller-busy';
    if ((await this.redis.set(this.key('user', call.calleeId), call.id, { condition: 'NX', expiration })) === null) {
      await this.redis.eval(deleteIfHolds, { keys: [callerKey], arguments: [call.id] });
      return 'callee-busy';
    }
    await this.redis
      .multi()
      .set(this.key(call.id), JSON.stringify(call), { expiration })
      .zAdd(this.ringingKey(), { score: call.ringsUntil, value: call.id })
      .exec();
    return 'created';
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    const [raw, answer, ended] = await this.redis.mGet([this.key(callId), this.key(callId, 'answer'), this.key(callId, 'ended')]);
    if (typeof raw !== 'string' || typeof ended === 'string') return undefined;
    const record = JSON.parse(raw) as CallRecord;
    return typeof answer === 'string' ? { ...record, answer: JSON.parse(answer) as NonNullable<CallRecord['answer']> } : record;
  }

  async answer(callId: string, answer: { session: string; at: number }, ttlMs: number): Promise<CallRecord | undefined> {
    const record = await this.get(callId);
    if (!record || record.answer) return undefined;
    const won = await this.redis.set(this.key(callId, 'answer'), JSON.stringify(answer), { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    if (won === null) return undefined;
    // A running call outlives the ring time: its record and both busy marks last as long as the answer.
    await this.redis
      .multi()
      .pExpire(this.key(callId), ttlMs)
      .pExpire(this.key('user', record.callerId), ttlMs)
      .pExpire(this.key('user', record.calleeId), ttlMs)
      .zRem(this.ringingKey(), callId)
      .exec();
    return { ...record, answer };
  }

  async end(callId: string): Promise<CallRecord | undefined> {
    const record = await this.get(callId);
    if (!record) return undefined;
    const first = await this.redis.set(this.key(callId, 'ended'), '1', { condition: 'NX', expiration: { type: 'PX', value: 60_000 } });
    if (first === null) return undefined;
    // An answer that landed between the read above and the end marker still counts for the call log.
    const answer = await this.redis.get(this.key(callId, 'answer'));
    await Promise.all([
      this.redis.del([this.key(callId), this.key(callId, 'answer')]),
      this.redis.zRem(this.ringingKey(), callId),
      this.redis.eval(deleteIfHolds, { keys: [this.key('user', record.callerId)], arguments: [callId] }),
      this.redis.eval(deleteIfHolds, { keys: [this.key('user', record.calleeId)], arguments: [callId] }),
    ]);
    return typeof answer === 'string' && !record.answer ? { ...record, answer: JSON.parse(answer) as NonNullable<CallRecord['answer']> } : record;
  }

  async callOf(userId: string): Promise<string | undefined> {
    const callId = await this.redis.get(this.key('user', userId));
    return typeof callId === 'string' ? callId : undefined;
  }

  async ringingDue(now: number, limit: number): Promise<string[]> {
    const due = await this.redis.zRangeByScore(this.ringingKey(), '-inf', now, { LIMIT: { offset: 0, count: limit } });
    if (due.length === 0) return [];
    const states = await this.redis.mGet(due.flatMap((callId) => [this.key(callId), this.key(callId, 'answer'), this.key(callId, 'ended')]));
    const live: string[] = [];
    const gone: string[] = [];
    due.forEach((callId, index) => {
      const [record, answer, ended] = states.slice(index * 3, index * 3 + 3);
      // Answered, ended or expired while the node that held it died between two steps: nothing rings.
      if (typeof record === 'string' && typeof answer !== 'string' && typeof ended !== 'string') live.push(callId);
      else gone.push(callId);
    });
    if (gone.length > 0) await this.redis.zRem(this.ringingKey(), gone);
    return live;
  }
}
