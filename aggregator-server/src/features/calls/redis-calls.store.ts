import type { RedisClientType } from 'redis';
import type { AbandonedCall, CallRecord, CallStore, CreateOutcome, KeepAliveOutcome } from './calls.store.js';

/** Deletes a key only while it still holds this value (a user's busy mark may belong to a newer call). */
const deleteIfHolds = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * One party's heartbeat: moves its deadline in `call:<id>:alive` forward (never back: a slow node's older
 * heartbeat must not undo a newer one) and the call's score in `call:running` to the earliest deadline.
 * KEYS: running set, record, end marker, answer, alive hash. ARGV: call id, session, deadline.
 */
const keepAliveScript = `
if redis.call('exists', KEYS[2]) == 0 or redis.call('exists', KEYS[3]) == 1 then return 'over' end
if redis.call('exists', KEYS[4]) == 0 then return 'ringing' end
local current = redis.call('hget', KEYS[5], ARGV[2])
if current == false then
  -- Answered a moment ago, its deadlines not written yet; or the session is not a party of the call.
  if redis.call('exists', KEYS[5]) == 0 then return 'ringing' end
  return 'over'
end
if tonumber(ARGV[3]) > tonumber(current) then redis.call('hset', KEYS[5], ARGV[2], ARGV[3]) end
local earliest, earliestRaw = nil, nil
for _, raw in ipairs(redis.call('hvals', KEYS[5])) do
  local deadline = tonumber(raw)
  if earliest == nil or deadline < earliest then earliest, earliestRaw = deadline, raw end
end
redis.call('zadd', KEYS[1], earliestRaw, ARGV[1])
return 'refreshed'`;

/**
 * The sweep's claim on a running call: sets the end marker only while the call's earliest deadline is still
 * past, so a heartbeat either lands before (the call goes on) or finds the call over. Answers the missed
 * deadline, or nil. KEYS: running set, record, end marker. ARGV: call id, now.
 */
const claimAbandonedScript = `
local deadline = redis.call('zscore', KEYS[1], ARGV[1])
if deadline == false then return false end
if redis.call('exists', KEYS[2]) == 0 or redis.call('exists', KEYS[3]) == 1 then
  redis.call('zrem', KEYS[1], ARGV[1])
  return false
end
if tonumber(deadline) > tonumber(ARGV[2]) then return false end
redis.call('set', KEYS[3], '1', 'PX', 60000)
return deadline`;

/**
 * Calls shared by several nodes. Keys (under the deployment prefix): `call:<id>` the record's JSON,
 * `call:<id>:answer` the winning answer (SET NX), `call:<id>:ended` the end marker (SET NX: one node
 * ends a call), `call:user:<userId>` the call a user is in (SET NX: busy), `call:ringing` a sorted set of
 * unanswered calls by the end of their ring time, `call:<id>:alive` a hash of each party's liveness
 * deadline by session and `call:running` a sorted set of answered calls by the earliest of those deadlines;
 * every node sweeps both sets. Everything but the two sets expires; the sweeps drop from them what has gone.
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

  private runningKey(): string {
    return this.key('running');
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

  async answer(callId: string, answer: { session: string; at: number }, ttlMs: number, aliveUntil: number): Promise<CallRecord | undefined> {
    const record = await this.get(callId);
    if (!record || record.answer) return undefined;
    const won = await this.redis.set(this.key(callId, 'answer'), JSON.stringify(answer), { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    if (won === null) return undefined;
    // A running call outlives the ring time: its record and both busy marks last as long as the answer. It
    // joins the running set in the same step, so a node that dies right after still leaves it sweepable.
    const deadline = String(aliveUntil);
    await this.redis
      .multi()
      .pExpire(this.key(callId), ttlMs)
      .pExpire(this.key('user', record.callerId), ttlMs)
      .pExpire(this.key('user', record.calleeId), ttlMs)
      .zRem(this.ringingKey(), callId)
      .hSet(this.key(callId, 'alive'), { [record.callerSession]: deadline, [answer.session]: deadline })
      .pExpire(this.key(callId, 'alive'), ttlMs)
      .zAdd(this.runningKey(), { score: aliveUntil, value: callId })
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
    await this.release(record);
    return typeof answer === 'string' && !record.answer ? { ...record, answer: JSON.parse(answer) as NonNullable<CallRecord['answer']> } : record;
  }

  /** After the end marker: the call's keys and its busy marks go (the marks only while they are still this call's). */
  private async release(record: CallRecord): Promise<void> {
    const callId = record.id;
    await Promise.all([
      this.redis.del([this.key(callId), this.key(callId, 'answer'), this.key(callId, 'alive')]),
      this.redis.zRem(this.ringingKey(), callId),
      this.redis.zRem(this.runningKey(), callId),
      this.redis.eval(deleteIfHolds, { keys: [this.key('user', record.callerId)], arguments: [callId] }),
      this.redis.eval(deleteIfHolds, { keys: [this.key('user', record.calleeId)], arguments: [callId] }),
    ]);
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

  async keepAlive(callId: string, sessionId: string, aliveUntil: number): Promise<KeepAliveOutcome> {
    const keys = [this.runningKey(), this.key(callId), this.key(callId, 'ended'), this.key(callId, 'answer'), this.key(callId, 'alive')];
    const outcome = await this.redis.eval(keepAliveScript, { keys, arguments: [callId, sessionId, String(aliveUntil)] });
    return outcome === 'refreshed' || outcome === 'ringing' ? outcome : 'over';
  }

  async runningDue(now: number, limit: number): Promise<string[]> {
    const due = await this.redis.zRangeByScore(this.runningKey(), '-inf', now, { LIMIT: { offset: 0, count: limit } });
    if (due.length === 0) return [];
    const states = await this.redis.mGet(due.flatMap((callId) => [this.key(callId), this.key(callId, 'ended')]));
    const live: string[] = [];
    const gone: string[] = [];
    due.forEach((callId, index) => {
      const [record, ended] = states.slice(index * 2, index * 2 + 2);
      // Ended (or expired) while the node that ended it died before it cleaned up: nothing left to sweep.
      if (typeof record === 'string' && typeof ended !== 'string') live.push(callId);
      else gone.push(callId);
    });
    if (gone.length > 0) await this.redis.zRem(this.runningKey(), gone);
    return live;
  }

  async endIfAbandoned(callId: string, now: number): Promise<AbandonedCall | undefined> {
    // The record cannot change once answered; the claim below is what decides, atomically.
    const record = await this.get(callId);
    if (!record?.answer) return undefined;
    const keys = [this.runningKey(), this.key(callId), this.key(callId, 'ended')];
    const missed = await this.redis.eval(claimAbandonedScript, { keys, arguments: [callId, String(now)] });
    if (typeof missed !== 'string') return undefined;
    await this.release(record);
    return { call: record, abandonedAt: Number(missed) };
  }
}
