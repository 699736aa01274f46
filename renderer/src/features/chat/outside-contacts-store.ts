import { create } from 'zustand';
import type { OutsideContact, OutsidePresence, OutsidePresenceEvent } from '#common/contract/interworking.js';
import { ApiFailure } from '../../api/failure.js';
import { api } from '../../app/app-store.js';
import { registerOutsidePresence } from './chat-socket.js';
import { mergePresence, withPresence } from './outside-contacts-logic.js';

/** `unavailable`: this server has no XMPP bridge configured (the routes answer 503 `unavailable`). */
export type OutsideContactsStatus = 'idle' | 'loading' | 'ready' | 'unavailable' | 'failed';

export interface OutsideContactsState {
  contacts: OutsideContact[];
  /** The latest presence per outside address, from events (also for a list not loaded yet): the conversation header shows it. */
  presence: Readonly<Record<string, OutsidePresence>>;
  status: OutsideContactsStatus;
  error: unknown;
  load(): Promise<void>;
  /** Allows an address (`xmpp:alice@example.org`); throws the server's failure for the form to show. */
  allow(address: string): Promise<void>;
  remove(address: string): Promise<void>;
}

/** Presence seen by event, kept so that a list loaded later still shows it. */
const seenPresence = new Map<string, OutsidePresenceEvent>();

function isNoBridge(error: unknown): boolean {
  return error instanceof ApiFailure && error.code === 'unavailable';
}

export const useOutsideContacts = create<OutsideContactsState>((set, get) => ({
  contacts: [],
  presence: {},
  status: 'idle',
  error: undefined,

  async load() {
    set({ status: get().status === 'ready' ? 'ready' : 'loading', error: undefined });
    try {
      const contacts = await api().outsideContacts();
      set({ contacts: mergePresence(contacts, seenPresence), status: 'ready' });
    } catch (error) {
      set(isNoBridge(error) ? { status: 'unavailable' } : { status: 'failed', error });
    }
  },

  async allow(address) {
    try {
      const contact = await api().allowOutsideContact(address);
      const others = get().contacts.filter((candidate) => candidate.address !== contact.address);
      set({ contacts: mergePresence([contact, ...others], seenPresence), status: 'ready' });
    } catch (error) {
      if (isNoBridge(error)) set({ status: 'unavailable' });
      throw error;
    }
  },

  async remove(address) {
    await api().removeOutsideContact(address);
    seenPresence.delete(address);
    set({ contacts: get().contacts.filter((contact) => contact.address !== address) });
  },
}));

/** Presence events are followed from the start (one per contact arrives right after connect), panel open or not. */
export function followOutsidePresence(): void {
  registerOutsidePresence((event) => {
    seenPresence.set(event.address, event);
    const state = useOutsideContacts.getState();
    useOutsideContacts.setState({
      contacts: withPresence(state.contacts, event),
      presence: { ...state.presence, [event.address]: { status: event.status, text: event.text, at: event.at } },
    });
  });
}

/** Signed out: nothing of this account stays in memory. */
export function clearOutsideContacts(): void {
  seenPresence.clear();
  useOutsideContacts.setState({ contacts: [], presence: {}, status: 'idle', error: undefined });
}
