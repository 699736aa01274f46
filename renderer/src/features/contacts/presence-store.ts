import { create } from 'zustand';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import { localDb, type NetworkActivity } from '../../db/local-db.js';

interface PresenceState {
  byUser: Readonly<Record<string, PresenceEvent>>;
  /** Per contact, per network: when they were last seen active there (kept in IndexedDB across restarts). */
  lastActive: Readonly<Record<string, Readonly<Record<string, string>>>>;
  load(): Promise<void>;
  receive(event: PresenceEvent): void;
  clear(): void;
}

let pending = new Map<string, PresenceEvent>();
let flushScheduled = false;

/**
 * Presence arrives in bursts (one event per contact right after connect), so events are applied once
 * per frame: one state update and one IndexedDB write for the whole burst instead of one per event.
 */
function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  const flush = () => {
    flushScheduled = false;
    const batch = [...pending.values()];
    pending = new Map();
    if (batch.length === 0) return;
    const activity: NetworkActivity[] = batch.flatMap((event) => event.apps.map((app) => ({ userId: event.userId, pluginId: app.plugin, lastActiveAt: event.at })));
    usePresence.setState((state) => {
      const next = { ...state.byUser };
      for (const event of batch) next[event.userId] = event;
      return { byUser: next, lastActive: withActivity(state.lastActive, activity) };
    });
    void localDb.presence.bulkPut(batch).catch((error: unknown) => console.warn('could not cache presence', error));
    if (activity.length > 0) void localDb.networkActivity.bulkPut(activity).catch((error: unknown) => console.warn('could not keep network activity', error));
  };
  // A hidden tab gets no animation frames; a timer still flushes there.
  if (document.visibilityState === 'visible') requestAnimationFrame(flush);
  else setTimeout(flush, 50);
}

function withActivity(known: PresenceState['lastActive'], activity: readonly NetworkActivity[]): PresenceState['lastActive'] {
  if (activity.length === 0) return known;
  const next: Record<string, Record<string, string>> = { ...known };
  for (const entry of activity) {
    const previous = next[entry.userId]?.[entry.pluginId];
    if (previous !== undefined && previous >= entry.lastActiveAt) continue;
    next[entry.userId] = { ...next[entry.userId], [entry.pluginId]: entry.lastActiveAt };
  }
  return next;
}

export const usePresence = create<PresenceState>((set) => ({
  byUser: {},
  lastActive: {},
  async load() {
    const [cached, activity] = await Promise.all([localDb.presence.toArray(), localDb.networkActivity.toArray()]);
    set({ byUser: Object.fromEntries(cached.map((event) => [event.userId, event])), lastActive: withActivity({}, activity) });
  },
  receive(event) {
    const known = pending.get(event.userId) ?? usePresence.getState().byUser[event.userId];
    // Events can overtake each other across reconnects; the newest one wins.
    if (known !== undefined && known.at > event.at) return;
    pending.set(event.userId, event);
    scheduleFlush();
  },
  clear() {
    pending = new Map();
    set({ byUser: {}, lastActive: {} });
  },
}));
