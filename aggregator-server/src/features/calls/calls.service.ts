import type {
  CallAnswerPayload,
  CallEndReason,
  CallHangupPayload,
  CallIcePayload,
  CallInvitePayload,
  CallLogEntry,
  CallOutcome,
  CallRenegotiatePayload,
} from '#common/contract/calls.js';
import type { ServerEventName, ServerEventPayload } from '#common/contract/socket-events.js';
import type { CallSettings } from '../../config.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { AccountService } from '../identity/account.service.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import type { ContactGraph } from '../contacts/contact-graph.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { CallRecord, CallStore } from './calls.store.js';

export type CallEventName = Extract<ServerEventName, `call:${string}`>;

/** Where call events go: a session's sockets, or every socket of a user, on whichever node they are. */
export type CallTarget = { session: string } | { user: string; exceptSocket?: string };

export interface CallOutlet {
  send<E extends CallEventName>(targets: CallTarget[], event: E, payload: ServerEventPayload<E>): void;
  userOnline(userId: string): Promise<boolean>;
  /** Whether the session has a socket on any node (asks every node). */
  sessionOnline(sessionId: string): Promise<boolean>;
  /** Whether the session has a socket on this node (no question to the others): for the heartbeat. */
  sessionHere(sessionId: string): boolean;
}

/** The device a call event came from. */
export type CallDevice = { userId: string; sessionId: string; socketId: string };

/**
 * A running call is forgotten after this even when nothing ended it: only when no node was left running to
 * sweep it (a call whose party is gone is ended by the sweep within the grace time and a few heartbeats).
 */
const longestCallMs = 12 * 60 * 60 * 1000;
/**
 * A ringing call outlives its ring time by this much in the store, so that a node that comes up after the
 * one that rang it died still finds it, ends it and leaves the missed call in the conversation.
 */
const ringSlackMs = 10 * 60 * 1000;
/** Calls ended per sweep (unanswered ones, and running ones a party of which is gone); the rest wait for the next one. */
const sweepBatch = 100;

/**
 * How often a node pushes forward the liveness deadline of the call parties whose sessions it holds: a third
 * of the grace time, so several beats fit in it, within bounds that keep Redis traffic and test waits sane.
 */
export function callHeartbeatMs(settings: Pick<CallSettings, 'reconnectGraceMs'>): number {
  return Math.max(200, Math.min(5000, settings.reconnectGraceMs / 3));
}

/**
 * How far ahead a heartbeat sets a party's deadline: the grace time after the beat that could be its last,
 * plus one beat that may come late (a busy event loop) before the session counts as gone.
 */
export function callLivenessMs(settings: Pick<CallSettings, 'reconnectGraceMs'>): number {
  return settings.reconnectGraceMs + 2 * callHeartbeatMs(settings);
}

/** Who ended a call, as the parties hear it; `blocker` when one of them blocked the other during the call. */
type EndedBy = { from?: { userId: string; phone: string }; exceptSocket?: string; blocker?: string };

const notFound = () => new ApiError(404, 'not_found', 'no such call: it ended, was answered elsewhere, or is not yours');

/**
 * 1:1 calls (M26): who may call whom, ringing every device of the callee, the first answer winning,
 * ICE candidates and renegotiation passed between the two devices in the call, and how a call ends
 * (hang-up, decline, busy, ring timeout, a device gone) with its entry in the conversation.
 */
export class CallsService {
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private beating = false;

  constructor(
    private readonly deps: {
      store: CallStore;
      privacy: Pick<PrivacyService, 'eitherBlocked'>;
      contactGraph: Pick<ContactGraph, 'whoHaveNumberOf'>;
      accounts: Pick<AccountService, 'userExists' | 'primaryPhones'>;
      messages: Pick<MessagesService, 'recordCall'>;
      outlet: CallOutlet;
      settings: CallSettings;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** Contacts in either direction (one has the other's number) who have not blocked each other. */
  async mayCall(callerId: string, calleeId: string): Promise<boolean> {
    const { accounts, privacy, contactGraph } = this.deps;
    if (callerId === calleeId || !(await accounts.userExists(calleeId))) return false;
    if (await privacy.eitherBlocked(callerId, calleeId)) return false;
    const [callerHasCallee, calleeHasCaller] = await Promise.all([contactGraph.whoHaveNumberOf(calleeId, [callerId]), contactGraph.whoHaveNumberOf(callerId, [calleeId])]);
    return callerHasCallee.length > 0 || calleeHasCaller.length > 0;
  }

  async invite(device: CallDevice, payload: CallInvitePayload): Promise<void> {
    const { store, outlet, settings, clock } = this.deps;
    const calleeId = payload.to.userId;
    if (!(await this.mayCall(device.userId, calleeId))) throw new ApiError(403, 'call_not_allowed', 'this person cannot be called by you');
    const now = clock.now();
    const record: CallRecord = { id: payload.callId, callerId: device.userId, calleeId, media: payload.media, callerSession: device.sessionId, startedAt: now, ringsUntil: now + settings.ringMs };
    if ((await store.get(payload.callId)) !== undefined) throw new ApiError(409, 'validation_failed', 'this call id is in use; make a new one');
    const created = await store.create(record, settings.ringMs + ringSlackMs);
    if (created === 'caller-busy') throw new ApiError(409, 'already_in_call', 'you are in a call already; hang up first');
    const phones = await this.deps.accounts.primaryPhones([device.userId, calleeId]);
    const party = (userId: string) => ({ userId, phone: phones.get(userId) ?? '' });
    if (created === 'callee-busy') {
      // Nothing was stored: the callee is in another call. They find the attempt in the conversation.
      outlet.send([{ session: device.sessionId }], 'call:ended', { callId: record.id, from: party(calleeId), reason: 'busy' });
      await this.log(record, 'busy');
      return;
    }
    // A block landing between the check above and the store found no call to end: a second look now that
    // the call is stored closes that gap (a block after this look finds the call and ends it).
    if (await this.deps.privacy.eitherBlocked(device.userId, calleeId)) {
      await store.end(record.id);
      throw new ApiError(403, 'call_not_allowed', 'this person cannot be called by you');
    }
    this.watchSession(device.sessionId, record.id);
    if (!(await outlet.userOnline(calleeId))) {
      await this.finish(record.id, 'unavailable', { from: party(calleeId) });
      return;
    }
    outlet.send([{ user: calleeId }], 'call:incoming', {
      callId: record.id,
      from: party(device.userId),
      media: record.media,
      sdp: payload.sdp,
      ringSeconds: Math.round(settings.ringMs / 1000),
    });
  }

  async answer(device: CallDevice, payload: CallAnswerPayload): Promise<void> {
    const { store, outlet, clock } = this.deps;
    const record = await store.get(payload.callId);
    if (!record || record.calleeId !== device.userId) throw notFound();
    const now = clock.now();
    const answered = await store.answer(record.id, { session: device.sessionId, at: now }, longestCallMs, now + callLivenessMs(this.deps.settings));
    if (!answered) throw notFound();
    this.watchSession(device.sessionId, record.id);
    const from = await this.party(device.userId);
    outlet.send([{ session: record.callerSession }], 'call:answered', { callId: record.id, from, sdp: payload.sdp });
    // The callee's other devices stop ringing; the one that answered keeps the call.
    outlet.send([{ user: record.calleeId, exceptSocket: device.socketId }], 'call:ended', { callId: record.id, from, reason: 'answered-elsewhere' });
  }

  /** Before the answer, the caller's candidates go to every ringing device (each keeps them until it answers). */
  async ice(device: CallDevice, payload: CallIcePayload): Promise<void> {
    const { record, other } = await this.route(device, payload.callId, false);
    this.deps.outlet.send([other], 'call:ice', { callId: record.id, from: await this.party(device.userId), candidate: payload.candidate });
  }

  /** A new offer or answer (an ICE restart), only between the two devices of a running call. */
  async renegotiate(device: CallDevice, payload: CallRenegotiatePayload): Promise<void> {
    const { record, other } = await this.route(device, payload.callId, true);
    this.deps.outlet.send([other], 'call:renegotiate', { callId: record.id, from: await this.party(device.userId), description: payload.description });
  }

  async hangup(device: CallDevice, payload: CallHangupPayload): Promise<void> {
    const record = await this.deps.store.get(payload.callId);
    const isCaller = record?.callerId === device.userId && record.callerSession === device.sessionId;
    const isCallee = record?.calleeId === device.userId && (!record.answer || record.answer.session === device.sessionId);
    if (!record || (!isCaller && !isCallee)) throw notFound();
    // A ringing device that hangs up declines (or says busy); after the answer it is an ordinary hang-up.
    const reason: CallEndReason = record.answer || isCaller ? (payload.reason === 'failed' ? 'failed' : 'hangup') : payload.reason === 'busy' ? 'busy' : 'declined';
    await this.finish(record.id, reason, { from: await this.party(device.userId), exceptSocket: device.socketId });
  }

  /**
   * A socket connected to this node: when its session is a party of a call (it came back here after its node
   * died, or after a network change), this node watches it from now on and keeps the call alive for it.
   */
  async sessionConnected(device: CallDevice): Promise<void> {
    const { store, clock, settings } = this.deps;
    const callId = await store.callOf(device.userId);
    const record = callId === undefined ? undefined : await store.get(callId);
    if (!record || (record.callerSession !== device.sessionId && record.answer?.session !== device.sessionId)) return;
    this.watchSession(device.sessionId, record.id);
    if (record.answer) await store.keepAlive(record.id, device.sessionId, clock.now() + callLivenessMs(settings));
  }

  /** A socket of a session in a call went away: unless the session is back within the grace time, the call ends. */
  sessionDisconnected(sessionId: string): void {
    const calls = this.sessionCalls.get(sessionId);
    if (!calls || calls.size === 0) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      void this.checkSession(sessionId).catch((error: unknown) => this.deps.log.warn({ reason: (error as Error).message }, 'could not check a call party'));
    }, this.deps.settings.reconnectGraceMs);
    timer.unref();
    this.graceTimers.add(timer);
  }

  /**
   * One of the two blocked the other: a call between them, ringing or running, ends at once for both,
   * wherever their devices are. The blocker's devices hear `blocked`; the other person hears what the
   * blocker's hang-up or decline would have said, so a block is never revealed by a call.
   */
  async blocked(blockerId: string, blockedId: string): Promise<void> {
    const { store } = this.deps;
    const callId = await store.callOf(blockerId);
    const record = callId === undefined ? undefined : await store.get(callId);
    if (!record || ![record.callerId, record.calleeId].includes(blockedId)) return;
    await this.finish(record.id, 'blocked', { from: await this.party(blockerId), blocker: blockerId });
  }

  /**
   * Every node sweeps the store for calls nobody answered in time, so a ring ends (and the missed call is
   * logged, once) even when the node that rang it is gone. A ring ends within a sweep of its time. The same
   * sweep ends running calls a party of which has been gone for longer than the grace time, wherever that
   * party's node was: the nodes holding a call's sessions beat for them, and a party nobody beats for (its
   * node died, its device went away) misses its deadline.
   */
  start(): void {
    if (this.sweepTimer) return;
    const everyMs = Math.max(100, Math.min(1000, this.deps.settings.ringMs / 4));
    this.sweepTimer = setInterval(() => void this.sweep(), everyMs);
    this.sweepTimer.unref();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), callHeartbeatMs(this.deps.settings));
    this.heartbeatTimer.unref();
  }

  /** One sweep: rings that are over, then running calls with a party gone; public so a test or an operator's tool can run one. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    const { store, clock, log } = this.deps;
    // Each half on its own: a failure in one (Redis away for a moment) must not hold up the other.
    const sweepOf = async (what: string, due: () => Promise<string[]>, end: (callId: string) => Promise<void>) => {
      try {
        for (const callId of await due()) await end(callId);
      } catch (error) {
        log.warn({ reason: (error as Error).message }, `could not sweep ${what} calls`);
      }
    };
    try {
      await sweepOf('ringing', () => store.ringingDue(clock.now(), sweepBatch), (callId) => this.ringTimedOut(callId));
      await sweepOf('running', () => store.runningDue(clock.now(), sweepBatch), (callId) => this.endIfAbandoned(callId));
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Pushes forward the deadline of every call party whose session has a socket on this node. A session with
   * no socket here is left to its grace timer; a call that is over is no longer watched.
   */
  async heartbeat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    const { store, outlet, clock, settings, log } = this.deps;
    try {
      const aliveUntil = clock.now() + callLivenessMs(settings);
      const beats = [...this.sessionCalls].filter(([sessionId]) => outlet.sessionHere(sessionId)).flatMap(([sessionId, calls]) => [...calls].map((callId) => ({ sessionId, callId })));
      await Promise.all(
        beats.map(async ({ sessionId, callId }) => {
          if ((await store.keepAlive(callId, sessionId, aliveUntil)) === 'over') this.unwatch(sessionId, callId);
        }),
      );
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'could not keep calls alive');
    } finally {
      this.beating = false;
    }
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    for (const timer of this.graceTimers) clearTimeout(timer);
    this.graceTimers.clear();
  }

  /** Sessions of this node's sockets that take part in calls, so their disconnects can be noticed. */
  private readonly sessionCalls = new Map<string, Set<string>>();

  private watchSession(sessionId: string, callId: string): void {
    const calls = this.sessionCalls.get(sessionId) ?? new Set<string>();
    calls.add(callId);
    this.sessionCalls.set(sessionId, calls);
  }

  private unwatch(sessionId: string, callId: string): void {
    const calls = this.sessionCalls.get(sessionId);
    calls?.delete(callId);
    if (calls?.size === 0) this.sessionCalls.delete(sessionId);
  }

  private async checkSession(sessionId: string): Promise<void> {
    if (await this.deps.outlet.sessionOnline(sessionId)) {
      // Back on another node, which watches it since it connected there: this node has no socket to beat for.
      if (!this.deps.outlet.sessionHere(sessionId)) this.sessionCalls.delete(sessionId);
      return;
    }
    const calls = [...(this.sessionCalls.get(sessionId) ?? [])];
    this.sessionCalls.delete(sessionId);
    for (const callId of calls) {
      const record = await this.deps.store.get(callId);
      if (record && (record.callerSession === sessionId || record.answer?.session === sessionId)) await this.finish(callId, 'connection-lost', {});
    }
  }

  private async route(device: CallDevice, callId: string, answeredOnly: boolean) {
    const record = await this.deps.store.get(callId);
    if (!record || (answeredOnly && !record.answer)) throw notFound();
    if (record.callerId === device.userId && record.callerSession === device.sessionId) {
      const other: CallTarget = record.answer ? { session: record.answer.session } : { user: record.calleeId };
      return { record, other };
    }
    // The callee's device may send candidates as it answers, before its answer is stored.
    if (record.calleeId === device.userId && (!record.answer || record.answer.session === device.sessionId)) {
      return { record, other: { session: record.callerSession } satisfies CallTarget };
    }
    throw notFound();
  }

  private async ringTimedOut(callId: string): Promise<void> {
    try {
      const record = await this.deps.store.get(callId);
      if (record && !record.answer) await this.finish(callId, 'timeout', {});
    } catch (error) {
      this.deps.log.error({ reason: (error as Error).message, callId }, 'a ring timeout failed');
    }
  }

  /**
   * A running call with a party past its deadline. Before ending it, every node is asked whether the parties'
   * sessions are connected: a slow node's heartbeat, or a session that came back to a node that did not know
   * it in a call, must not cost a live call. The end itself only happens while the deadline is still past.
   */
  private async endIfAbandoned(callId: string): Promise<void> {
    const { store, outlet, clock, settings, log } = this.deps;
    try {
      const record = await store.get(callId);
      if (!record?.answer) return;
      const sessions = [record.callerSession, record.answer.session];
      const online = await Promise.all(sessions.map((sessionId) => outlet.sessionOnline(sessionId)));
      const aliveUntil = clock.now() + callLivenessMs(settings);
      await Promise.all(sessions.filter((_, index) => online[index]).map((sessionId) => store.keepAlive(callId, sessionId, aliveUntil)));
      if (online.every(Boolean)) return;
      const abandoned = await store.endIfAbandoned(callId, clock.now());
      // Logged with the time the party went missing, not this sweep's (all nodes may have been down for hours).
      if (abandoned) await this.announceEnd(abandoned.call, 'connection-lost', {}, abandoned.abandonedAt);
    } catch (error) {
      log.error({ reason: (error as Error).message, callId }, 'could not end a call whose party is gone');
    }
  }

  /** Ends a call once across all nodes: tells both parties (the callee's ringing devices too) and logs it. */
  private async finish(callId: string, reason: CallEndReason, by: EndedBy): Promise<void> {
    const ended = await this.deps.store.end(callId);
    if (ended) await this.announceEnd(ended, reason, by, this.deps.clock.now());
  }

  /** Tells both parties that the call `ended` (this node won its end) and logs it, lasting until `endedAt`. */
  private async announceEnd(ended: CallRecord, reason: CallEndReason, by: EndedBy, endedAt: number): Promise<void> {
    const callId = ended.id;
    this.unwatch(ended.callerSession, callId);
    if (ended.answer) this.unwatch(ended.answer.session, callId);
    const caller: CallTarget = { session: ended.callerSession };
    const callee: CallTarget = ended.answer ? { session: ended.answer.session } : { user: ended.calleeId };
    // The device that ended the call knows already (its ack says so).
    const notice = (target: CallTarget): CallTarget => (by.exceptSocket === undefined ? target : { ...target, exceptSocket: by.exceptSocket });
    const from = by.from ? { from: by.from } : {};
    let heard = reason;
    if (by.blocker === undefined) {
      this.deps.outlet.send([caller, callee].map(notice), 'call:ended', { callId, ...from, reason });
    } else {
      const blockerIsCaller = by.blocker === ended.callerId;
      heard = blockerIsCaller || ended.answer ? 'hangup' : 'declined';
      this.deps.outlet.send([blockerIsCaller ? caller : callee], 'call:ended', { callId, ...from, reason });
      this.deps.outlet.send([blockerIsCaller ? callee : caller], 'call:ended', { callId, ...from, reason: heard });
    }
    const durationSeconds = ended.answer ? Math.max(0, Math.round((endedAt - ended.answer.at) / 1000)) : undefined;
    const outcome: CallOutcome = ended.answer ? 'answered' : heard === 'declined' ? 'declined' : heard === 'busy' ? 'busy' : 'missed';
    await this.log(ended, outcome, durationSeconds);
  }

  private async log(record: CallRecord, outcome: CallOutcome, durationSeconds?: number): Promise<void> {
    const entry: CallLogEntry = { callId: record.id, media: record.media, outcome, ...(durationSeconds === undefined ? {} : { durationSeconds }) };
    try {
      await this.deps.messages.recordCall(record.callerId, record.calleeId, entry);
    } catch (error) {
      // The call itself is over either way; a missing log entry must not keep it alive.
      this.deps.log.error({ reason: (error as Error).message, callId: record.id }, 'could not log a call in the conversation');
    }
  }

  private async party(userId: string): Promise<{ userId: string; phone: string }> {
    const phones = await this.deps.accounts.primaryPhones([userId]);
    return { userId, phone: phones.get(userId) ?? '' };
  }
}
