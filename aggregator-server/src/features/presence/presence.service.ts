import type { PrivacySettings } from '#common/contract/privacy.js';
import type { PresenceEvent, PresenceSetPayload } from '#common/contract/socket-events.js';
import type { Clock } from '../../platform/clock.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import type { Logger } from '../../platform/logger.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { forAudience, mergePresence, offlineEvent, presenceFingerprint } from './merge.js';
import type { ConnectionState, PresenceStore } from './presence.store.js';

export const presenceRooms = {
  /** Sockets that watch their whole roster. */
  roster: (viewerId: string) => `roster:${viewerId}`,
  /** Sockets that watch only their open conversations, one room per person watched. */
  focus: (viewerId: string, subjectId: string) => `focus:${viewerId}:${subjectId}`,
};

/** How presence leaves the node: implemented over socket.io by the gateway. */
export interface PresenceOutlet {
  /** One emit to many rooms, on every node. */
  toRooms(rooms: string[], event: PresenceEvent): void;
  /** Only to this node's sockets in the rooms (each node handles its own after a fan-out of its own). */
  toLocalRooms(rooms: string[], event: PresenceEvent): void;
}

type Audience = { viewers: string[]; settings: PrivacySettings; expiresAt: number };

const audienceTtlMs = 10_000;

/**
 * Presence (M13-M16, M18): merges each user's devices, decides on the server who may see what, and sends
 * each change once to all permitted watchers.
 */
export class PresenceService {
  private readonly audiences = new Map<string, Audience>();
  /** For users with a socket on this node: whose presence they currently receive. */
  private readonly visibleByViewer = new Map<string, Set<string>>();

  constructor(
    private readonly deps: {
      store: PresenceStore;
      privacy: PrivacyService;
      outlet: PresenceOutlet;
      clock: Clock;
      graceMs: number;
      log: Logger;
      /** Told when a user becomes or stops being invisible (their identities follow). */
      events?: DomainEvents;
      /** Told of each change of a user's merged presence (the XMPP bridge shows it to outside contacts). */
      onChange?: (event: PresenceEvent) => void;
    },
  ) {}

  async connect(connection: ConnectionState): Promise<void> {
    await this.deps.store.putConnection(connection, this.deps.clock.now() + this.deps.graceMs);
    await this.publish(connection.userId);
  }

  /** The connection stays for the grace period, so a quick reconnect does not blink. */
  async disconnect(connectionId: string): Promise<void> {
    await this.deps.store.touch([connectionId], this.deps.clock.now() + this.deps.graceMs);
  }

  forgetViewer(viewerId: string): void {
    this.visibleByViewer.delete(viewerId);
  }

  /** Applies a `presence:set`; returns the connection as it now stands. */
  async update(connectionId: string, payload: PresenceSetPayload): Promise<ConnectionState | undefined> {
    const { store, clock } = this.deps;
    let connection = await store.getConnection(connectionId);
    if (!connection) return undefined;
    if (payload.status !== undefined || payload.text !== undefined) {
      const current = (await store.userStates([connection.userId])).get(connection.userId);
      const status = payload.status ?? current?.status ?? 'online';
      await store.setUserState(connection.userId, { status, text: payload.text ?? current?.text ?? '' });
      const wasInvisible = current?.status === 'invisible';
      if (wasInvisible !== (status === 'invisible')) this.deps.events?.emit('invisibilityChanged', { userId: connection.userId });
    }
    if (payload.apps !== undefined) {
      const now = clock.now();
      const apps: Record<string, number> = {};
      for (const plugin of new Set(payload.apps)) apps[plugin] = connection.apps[plugin] ?? now;
      connection = { ...connection, apps };
      await store.putConnection(connection, now + this.deps.graceMs);
    }
    await this.publish(connection.userId);
    return connection;
  }

  /**
   * Whether `from`'s typing may reach `to`: never while `from` is invisible (nothing of an invisible
   * user reaches anyone), never across a block in either direction.
   */
  async typingReaches(from: string, to: string): Promise<boolean> {
    const state = (await this.deps.store.userStates([from])).get(from);
    if (state?.status === 'invisible') return false;
    return !(await this.deps.privacy.eitherBlocked(from, to));
  }

  /** Of `userIds`, those who are invisible now: nothing of theirs (identities included) reaches anyone. */
  async invisibleAmong(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const states = await this.deps.store.userStates(userIds);
    return new Set(userIds.filter((id) => states.get(id)?.status === 'invisible'));
  }

  /** Keeps this node's live connections from expiring; re-adds any that were swept while the node stalled. */
  async heartbeat(live: ConnectionState[]): Promise<void> {
    const expiresAt = this.deps.clock.now() + this.deps.graceMs;
    const missing = new Set(await this.deps.store.touch(live.map((connection) => connection.id), expiresAt));
    for (const connection of live) {
      if (!missing.has(connection.id)) continue;
      await this.deps.store.putConnection(connection, expiresAt);
      await this.publish(connection.userId);
    }
  }

  /** Ends connections whose grace ran out, wherever they lived, and publishes the users they belonged to. */
  async sweep(): Promise<void> {
    const expired = await this.deps.store.claimExpired(this.deps.clock.now(), 1000);
    for (const userId of new Set(expired.map((connection) => connection.userId))) await this.publish(userId);
  }

  /** Computes the user's presence and, if it changed, sends it to everyone allowed to see it. */
  async publish(userId: string, force = false): Promise<void> {
    const event = await this.current(userId);
    const previous = await this.deps.store.swapPublished(userId, presenceFingerprint(event));
    if (!force && previous === presenceFingerprint(event)) return;
    this.deps.onChange?.(event);
    const audience = await this.audience(userId);
    const rooms = [presenceRooms.roster(userId), ...audience.viewers.flatMap((viewer) => [presenceRooms.roster(viewer), presenceRooms.focus(viewer, userId)])];
    this.deps.outlet.toRooms(rooms, forAudience(event, audience.settings));
  }

  /** A user's merged status now (offline while invisible). */
  async statusOf(userId: string): Promise<PresenceEvent['status']> {
    return (await this.current(userId)).status;
  }

  /** The presence of each person the viewer may see, for a socket that just connected or changed scope. */
  async snapshotFor(viewerId: string, only?: string[]): Promise<PresenceEvent[]> {
    const visible = await this.deps.privacy.visibleSubjectsFor(viewerId);
    this.visibleByViewer.set(viewerId, new Set(visible));
    const wanted = only ? visible.filter((id) => only.includes(id)) : visible;
    return this.presenceOf(wanted);
  }

  /**
   * Who may see `userId` changed (privacy settings, lists, an address book): re-send to viewers that
   * gained sight of someone, send offline to those that lost it. Runs on every node for its own viewers.
   */
  async audienceChanged(userId: string): Promise<void> {
    this.audiences.clear();
    const now = this.deps.clock.now();
    const audience = new Set((await this.audience(userId)).viewers);
    for (const [viewerId, visible] of this.visibleByViewer) {
      const had = visible.has(userId);
      const has = audience.has(viewerId);
      if (had && !has) {
        visible.delete(userId);
        this.deps.outlet.toLocalRooms([presenceRooms.roster(viewerId), presenceRooms.focus(viewerId, userId)], offlineEvent(userId, now));
      } else if (!had && has) {
        visible.add(userId);
        const [event] = await this.presenceOf([userId]);
        if (event) this.deps.outlet.toLocalRooms([presenceRooms.roster(viewerId), presenceRooms.focus(viewerId, userId)], event);
      }
    }
    // The user's own view may have changed too (their address book decides whom they see).
    const ownView = this.visibleByViewer.get(userId);
    if (ownView) {
      const nowVisible = new Set(await this.deps.privacy.visibleSubjectsFor(userId));
      const gained = [...nowVisible].filter((id) => !ownView.has(id));
      for (const lost of [...ownView].filter((id) => !nowVisible.has(id))) {
        this.deps.outlet.toLocalRooms([presenceRooms.roster(userId), presenceRooms.focus(userId, lost)], offlineEvent(lost, now));
      }
      for (const event of await this.presenceOf(gained)) {
        this.deps.outlet.toLocalRooms([presenceRooms.roster(userId), presenceRooms.focus(userId, event.userId)], event);
      }
      this.visibleByViewer.set(userId, nowVisible);
    }
  }

  private async current(userId: string): Promise<PresenceEvent> {
    const { store, clock } = this.deps;
    const [connections, states] = await Promise.all([store.connectionsOf([userId]), store.userStates([userId])]);
    return mergePresence(userId, connections.get(userId) ?? [], states.get(userId), clock.now());
  }

  private async presenceOf(userIds: string[]): Promise<PresenceEvent[]> {
    if (userIds.length === 0) return [];
    const { store, clock, privacy } = this.deps;
    const [connections, states, settings] = await Promise.all([store.connectionsOf(userIds), store.userStates(userIds), privacy.settingsOf(userIds)]);
    const now = clock.now();
    return userIds.map((id) => {
      const event = mergePresence(id, connections.get(id) ?? [], states.get(id), now);
      const subjectSettings = settings.get(id);
      return subjectSettings ? forAudience(event, subjectSettings) : event;
    });
  }

  private async audience(userId: string): Promise<Audience> {
    const now = this.deps.clock.now();
    const cached = this.audiences.get(userId);
    if (cached && cached.expiresAt > now) return cached;
    const [viewers, settings] = await Promise.all([this.deps.privacy.audienceOf(userId), this.deps.privacy.settings(userId)]);
    const fresh = { viewers, settings, expiresAt: now + audienceTtlMs };
    this.audiences.set(userId, fresh);
    if (this.audiences.size > 100_000) this.audiences.clear();
    return fresh;
  }
}
