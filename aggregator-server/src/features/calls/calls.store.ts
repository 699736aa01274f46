import type { CallMedia } from '#common/contract/calls.js';

/** One call while it rings or runs. Parties are addressed by session, so a device that reconnects keeps its call. */
export type CallRecord = {
  id: string;
  callerId: string;
  calleeId: string;
  media: CallMedia;
  callerSession: string;
  startedAt: number;
  /**
   * Until when the callee's devices ring (ms since the epoch). Kept with the call, not in one node's timer,
   * so any node can end a call that outlived its ring time after the node that rang it died.
   */
  ringsUntil: number;
  /** Set once, by the first device of the callee to answer. */
  answer?: { session: string; at: number };
};

export type CreateOutcome = 'created' | 'caller-busy' | 'callee-busy';

/** What a node's heartbeat for one party of a call found: refreshed, not answered yet, or nothing to keep alive. */
export type KeepAliveOutcome = 'refreshed' | 'ringing' | 'over';

/** A running call the sweep ended, with the deadline its party missed (the call's end for its log). */
export type AbandonedCall = { call: CallRecord; abandonedAt: number };

/**
 * Where calls live: in memory on a single node, in Redis when several nodes share one deployment. Every
 * decision two nodes could race on (busy, first answer, who ends the call) is one atomic step here.
 */
export interface CallStore {
  /** Creates the call and marks both users in a call, unless either already is; `ttlMs` bounds a call nobody ends. */
  create(call: CallRecord, ttlMs: number): Promise<CreateOutcome>;
  get(callId: string): Promise<CallRecord | undefined>;
  /**
   * The first answer wins: answers the call with it, or undefined when another answer came first or the call
   * is over. The running call gets a liveness deadline per party (the caller's session and the answering
   * one), both `aliveUntil` to start with, which the nodes holding those sessions push forward.
   */
  answer(callId: string, answer: { session: string; at: number }, ttlMs: number, aliveUntil: number): Promise<CallRecord | undefined>;
  /** Ends the call exactly once across all nodes: answers the record to the one that ended it, undefined to the others. */
  end(callId: string): Promise<CallRecord | undefined>;
  /** The call `userId` is in (ringing or running), if any. */
  callOf(userId: string): Promise<string | undefined>;
  /** Calls still unanswered whose ring time is over at `now`, at most `limit` of them: for the sweep every node runs. */
  ringingDue(now: number, limit: number): Promise<string[]>;
  /**
   * Moves the liveness deadline of one party (`sessionId`) of a running call forward to `aliveUntil`, never
   * back. `ringing` while the call is not answered; `over` when it ended or the session is not a party.
   */
  keepAlive(callId: string, sessionId: string, aliveUntil: number): Promise<KeepAliveOutcome>;
  /** Running calls with a party whose liveness deadline passed at `now`, at most `limit` of them: for the sweep. */
  runningDue(now: number, limit: number): Promise<string[]>;
  /**
   * Ends a running call only while a party's deadline is still past at `now`, in one step with that check, so
   * a heartbeat that lands first keeps the call; exactly once across nodes, as `end`. Undefined otherwise.
   */
  endIfAbandoned(callId: string, now: number): Promise<AbandonedCall | undefined>;
}

/** The earliest liveness deadline of a running call's parties: when the first of them counts as gone. */
function earliest(alive: Map<string, number>): number {
  return Math.min(...alive.values());
}

export class MemoryCallStore implements CallStore {
  /** `alive`: each party's liveness deadline by session, from the answer on. */
  private readonly calls = new Map<string, { record: CallRecord; expiresAt: number; alive?: Map<string, number> }>();
  private readonly busy = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(callId: string): CallRecord | undefined {
    const entry = this.calls.get(callId);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.record;
    this.drop(entry.record);
    return undefined;
  }

  private drop(record: CallRecord): void {
    this.calls.delete(record.id);
    for (const userId of [record.callerId, record.calleeId]) if (this.busy.get(userId) === record.id) this.busy.delete(userId);
  }

  private inCall(userId: string): boolean {
    const callId = this.busy.get(userId);
    return callId !== undefined && this.live(callId) !== undefined;
  }

  create(call: CallRecord, ttlMs: number): Promise<CreateOutcome> {
    if (this.inCall(call.callerId)) return Promise.resolve('caller-busy');
    if (this.inCall(call.calleeId)) return Promise.resolve('callee-busy');
    this.calls.set(call.id, { record: call, expiresAt: this.now() + ttlMs });
    this.busy.set(call.callerId, call.id);
    this.busy.set(call.calleeId, call.id);
    return Promise.resolve('created');
  }

  get(callId: string): Promise<CallRecord | undefined> {
    return Promise.resolve(this.live(callId));
  }

  answer(callId: string, answer: { session: string; at: number }, ttlMs: number, aliveUntil: number): Promise<CallRecord | undefined> {
    const record = this.live(callId);
    if (!record || record.answer) return Promise.resolve(undefined);
    const answered = { ...record, answer };
    const alive = new Map([
      [record.callerSession, aliveUntil],
      [answer.session, aliveUntil],
    ]);
    this.calls.set(callId, { record: answered, expiresAt: this.now() + ttlMs, alive });
    return Promise.resolve(answered);
  }

  end(callId: string): Promise<CallRecord | undefined> {
    const record = this.live(callId);
    if (record) this.drop(record);
    return Promise.resolve(record);
  }

  callOf(userId: string): Promise<string | undefined> {
    const callId = this.busy.get(userId);
    return Promise.resolve(callId !== undefined && this.live(callId) !== undefined ? callId : undefined);
  }

  ringingDue(now: number, limit: number): Promise<string[]> {
    const due: string[] = [];
    for (const callId of [...this.calls.keys()]) {
      const record = this.live(callId);
      if (record && !record.answer && record.ringsUntil <= now) due.push(callId);
      if (due.length >= limit) break;
    }
    return Promise.resolve(due);
  }

  keepAlive(callId: string, sessionId: string, aliveUntil: number): Promise<KeepAliveOutcome> {
    const record = this.live(callId);
    const alive = this.calls.get(callId)?.alive;
    if (record && !record.answer) return Promise.resolve('ringing');
    const current = alive?.get(sessionId);
    if (!record || !alive || current === undefined) return Promise.resolve('over');
    alive.set(sessionId, Math.max(current, aliveUntil));
    return Promise.resolve('refreshed');
  }

  runningDue(now: number, limit: number): Promise<string[]> {
    const due: string[] = [];
    for (const callId of [...this.calls.keys()]) {
      // live() first: it forgets a call past its expiry, running or not.
      const alive = this.live(callId) === undefined ? undefined : this.calls.get(callId)?.alive;
      if (alive && earliest(alive) <= now) due.push(callId);
      if (due.length >= limit) break;
    }
    return Promise.resolve(due);
  }

  endIfAbandoned(callId: string, now: number): Promise<AbandonedCall | undefined> {
    // One synchronous step: no heartbeat can land between the look at the deadlines and the end.
    const record = this.live(callId);
    const alive = this.calls.get(callId)?.alive;
    if (!record || !alive || earliest(alive) > now) return Promise.resolve(undefined);
    this.drop(record);
    return Promise.resolve({ call: record, abandonedAt: earliest(alive) });
  }
}
