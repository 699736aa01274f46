import { create } from 'zustand';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import { localDb } from '../../db/local-db.js';

interface PresenceState {
  byUser: Readonly<Record<string, PresenceEvent>>;
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
    usePresence.setState((state) => {
      const next = { ...state.byUser };
      for (const event of batch) next[event.userId] = event;
      return { byUser: next };
    });
    void localDb.presence.bulkPut(batch).catch((error: unknown) => console.warn('could not cache presence', error));
  };
  // A hidden tab gets no animation frames; a timer still flushes there.
  if (document.visibilityState === 'visible') requestAnimationFrame(flush);
  else setTimeout(flush, 50);
}

export const usePresence = create<PresenceState>((set) => ({
  byUser: {},
  async load() {
    const cached = await localDb.presence.toArray();
    set({ byUser: Object.fromEntries(cached.map((event) => [event.userId, event])) });
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
    set({ byUser: {} });
  },
}));
