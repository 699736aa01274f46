import { create } from 'zustand';
import type { AddressBookEntry } from '#common/address-book/types.js';
import { assignRefs } from '#common/address-book/refs.js';
import type { AddressBookMatch } from '#common/contract/contacts.js';
import type { ServerContact } from '../../api/server-api.js';
import type { AccountsSyncResult, NetworkContact } from '#common/bridge/index.js';
import { foldFullWidth } from '#common/text/typed-digits.js';
import { bridge } from '../../bridge/bridge.js';
import { localDb, type LocalGroup, type LocalPerson } from '../../db/local-db.js';
import { formatPhone } from '../../ui/format.js';
import { compareNames, hasHan, loadPinyin, matchesPinyin, pinyinReady } from './chinese-names.js';
import { withNetworkContacts } from './network-people.js';

/** `all`, `users` (on Switchboard), or a group id. */
export type ListFilter = 'all' | 'users' | { groupId: string };

interface ContactsState {
  /** The address book's people (stored, uploaded as numbers only). */
  people: LocalPerson[];
  /** Contacts of bound network accounts, as the host imported them (desktop only). */
  networkContacts: NetworkContact[];
  /** What the list shows: `people` joined by `networkContacts` (kept current on every change). */
  merged: LocalPerson[];
  groups: LocalGroup[];
  loaded: boolean;
  /** The pinyin dictionary is loaded: Chinese names sort and match by pinyin. */
  pinyinReady: boolean;
  query: string;
  filter: ListFilter;
  privateUnlocked: boolean;
  openRef: string | undefined;
  load(): Promise<void>;
  /** Asks the host for the network contacts it keeps. */
  loadNetworkContacts(): Promise<void>;
  /** Has the host import every bound account's contacts now, through the plugins. */
  syncAccounts(): Promise<AccountsSyncResult>;
  setQuery(query: string): void;
  setFilter(filter: ListFilter): void;
  setPrivateUnlocked(unlocked: boolean): void;
  openPerson(ref: string | undefined): void;
  mergeImport(entries: AddressBookEntry[]): Promise<LocalPerson[]>;
  /** The whole book becomes `people` (an explicit replace, or an undo putting the previous book back). */
  restoreBook(people: LocalPerson[]): Promise<void>;
  /** Shows the book as given without storing it (a change made here, shown before its turn to be stored). */
  showBook(people: LocalPerson[]): void;
  applyMatches(matches: AddressBookMatch[]): Promise<void>;
  applyServerContacts(contacts: ServerContact[]): Promise<void>;
  removeRefs(refs: string[]): Promise<void>;
  updatePerson(ref: string, change: Partial<Omit<LocalPerson, 'ref'>>): Promise<void>;
  /** A contact's identities changed (the server's `identities` event): what they now share with me. */
  applyIdentities(userId: string, identities: Record<string, Record<string, string>>): Promise<void>;
  setBlocked(userId: string, blocked: boolean): Promise<void>;
  createGroup(name: string): Promise<void>;
  deleteGroup(id: string): Promise<void>;
  clear(): void;
}

export function displayName(person: LocalPerson): string {
  if (person.name.trim() !== '') return person.name;
  const phone = person.phones[0]?.e164;
  return phone === undefined ? person.ref : formatPhone(phone);
}

function sortPeople(people: LocalPerson[]): LocalPerson[] {
  return people.sort((a, b) => compareNames(displayName(a), displayName(b)));
}

/** Loads the pinyin dictionary when the book has a Chinese name, then sorts again by pinyin. */
function preparePinyin(people: readonly LocalPerson[]): void {
  if (pinyinReady() || !people.some((person) => hasHan(person.name))) return;
  void loadPinyin().then((loaded) => {
    if (!loaded) return;
    useContacts.setState((state) => ({ people: sortPeople([...state.people]), pinyinReady: true }));
  });
}

export const useContacts = create<ContactsState>((set, get) => ({
  people: [],
  networkContacts: [],
  merged: [],
  groups: [],
  loaded: false,
  pinyinReady: pinyinReady(),
  query: '',
  filter: 'all',
  privateUnlocked: false,
  openRef: undefined,

  async load() {
    const [people, groups] = await Promise.all([localDb.people.toArray(), localDb.groups.toArray()]);
    set({ people: sortPeople(people), groups: groups.sort((a, b) => compareNames(a.name, b.name)), loaded: true });
    preparePinyin(people);
  },
  async loadNetworkContacts() {
    set({ networkContacts: await bridge().contacts.networkContacts() });
  },
  async syncAccounts() {
    const result = await bridge().contacts.syncAccounts();
    set({ networkContacts: result.contacts });
    return result;
  },
  setQuery: (query) => set({ query }),
  setFilter: (filter) => set({ filter }),
  setPrivateUnlocked: (privateUnlocked) => set({ privateUnlocked }),
  openPerson: (openRef) => set({ openRef }),

  /**
   * A new file adds to what is already here rather than replacing it: people import several books
   * (phone, Outlook) and expect the union. Local-only fields (groups, private) survive a re-import.
   */
  async mergeImport(entries) {
    // The same person keeps their ref across re-imports (found by any shared number); new people keep the
    // random ref the parser gave them. Refs never derive from numbers, so the server learns nothing from them.
    const knownRefByNumber = new Map<string, string>();
    for (const person of get().people) for (const phone of person.phones) if (!knownRefByNumber.has(phone.e164)) knownRefByNumber.set(phone.e164, person.ref);
    assignRefs(entries, knownRefByNumber);
    const byRef = new Map(get().people.map((person) => [person.ref, person]));
    for (const entry of entries) {
      const previous = byRef.get(entry.ref);
      byRef.set(entry.ref, {
        ref: entry.ref,
        name: entry.name,
        phones: entry.phones,
        emails: entry.emails,
        org: entry.org,
        userId: previous?.userId,
        mutual: previous?.mutual,
        blocked: previous?.blocked,
        identities: previous?.identities,
        groupIds: previous?.groupIds ?? [],
        isPrivate: previous?.isPrivate ?? false,
      });
    }
    const people = sortPeople([...byRef.values()]);
    // Shown in the turn it was computed, then written: IndexedDB runs writes to one store in the order they
    // were made, so the screen and the database see changes in the same order (see applyServerContacts).
    set({ people });
    preparePinyin(people);
    await localDb.people.bulkPut(people);
    return people;
  },

  async restoreBook(people) {
    await localDb.transaction('rw', [localDb.people], async () => {
      await localDb.people.clear();
      await localDb.people.bulkPut(people);
    });
    get().showBook(people);
  },

  showBook(people) {
    const sorted = sortPeople([...people]);
    set({ people: sorted });
    preparePinyin(sorted);
  },

  async applyMatches(matches) {
    const userByRef = new Map(matches.map((match) => [match.ref, match.userId]));
    const changed: LocalPerson[] = [];
    const people = get().people.map((person) => {
      const userId = userByRef.get(person.ref);
      if (userId === person.userId) return person;
      const updated = { ...person, userId };
      changed.push(updated);
      return updated;
    });
    set({ people });
    await localDb.people.bulkPut(changed);
  },

  /** The server's view of who is a user; people added on another device appear with their number only. */
  async applyServerContacts(contacts) {
    const byRef = new Map(get().people.map((person) => [person.ref, person]));
    const contactByRef = new Map<string, ServerContact>();
    for (const contact of contacts) for (const ref of contact.refs) contactByRef.set(ref, contact);
    const people: LocalPerson[] = [];
    for (const person of byRef.values()) {
      const contact = contactByRef.get(person.ref);
      people.push({ ...person, userId: contact?.userId, mutual: contact?.mutual, blocked: contact?.blocked, identities: contact?.identities });
    }
    for (const contact of contacts) {
      if (contact.refs.some((ref) => byRef.has(ref))) continue;
      const ref = contact.refs[0] ?? `user-${contact.userId}`;
      people.push({
        ref,
        name: '',
        phones: [{ e164: contact.phone, raw: contact.phone }],
        userId: contact.userId,
        mutual: contact.mutual,
        blocked: contact.blocked,
        identities: contact.identities,
        groupIds: [],
        isPrivate: false,
      });
    }
    // Shown before the write, in the same turn as the read above: set after an await, this list would
    // overwrite a book restored meanwhile (an Undo) with the one read before it.
    set({ people: sortPeople(people) });
    await localDb.people.bulkPut(people);
  },

  async removeRefs(refs) {
    const gone = new Set(refs);
    await localDb.people.bulkDelete(refs);
    set({ people: get().people.filter((person) => !gone.has(person.ref)) });
  },

  async updatePerson(ref, change) {
    const people = get().people.map((person) => (person.ref === ref ? { ...person, ...change } : person));
    const updated = people.find((person) => person.ref === ref);
    set({ people });
    if (updated !== undefined) await localDb.people.put(updated);
  },

  async applyIdentities(userId, identities) {
    const people = get().people.map((person) => (person.userId === userId ? { ...person, identities } : person));
    set({ people });
    await localDb.people.bulkPut(people.filter((person) => person.userId === userId));
  },

  async setBlocked(userId, blocked) {
    const people = get().people.map((person) => (person.userId === userId ? { ...person, blocked } : person));
    set({ people });
    await localDb.people.bulkPut(people.filter((person) => person.userId === userId));
  },

  async createGroup(name) {
    const group: LocalGroup = { id: crypto.randomUUID(), name: name.trim(), createdAt: new Date().toISOString() };
    await localDb.groups.put(group);
    set({ groups: [...get().groups, group].sort((a, b) => compareNames(a.name, b.name)) });
  },

  async deleteGroup(id) {
    const members = get().people.filter((person) => person.groupIds.includes(id));
    const withoutGroup = members.map((person) => ({ ...person, groupIds: person.groupIds.filter((groupId) => groupId !== id) }));
    await localDb.transaction('rw', [localDb.groups, localDb.people], async () => {
      await localDb.groups.delete(id);
      await localDb.people.bulkPut(withoutGroup);
    });
    const changed = new Map(withoutGroup.map((person) => [person.ref, person]));
    const people = get().people.map((person) => changed.get(person.ref) ?? person);
    const filter = get().filter;
    set({ groups: get().groups.filter((group) => group.id !== id), people, filter: typeof filter === 'object' && filter.groupId === id ? 'all' : filter });
  },

  clear: () => set({ people: [], networkContacts: [], merged: [], groups: [], loaded: false, query: '', filter: 'all', privateUnlocked: false, openRef: undefined }),
}));

// The merged view follows every change of either side, so the list, the grid and the detail agree.
useContacts.subscribe((state, previous) => {
  if (state.people === previous.people && state.networkContacts === previous.networkContacts) return;
  useContacts.setState({ merged: sortPeople(withNetworkContacts(state.people, state.networkContacts)) });
});

/** What the list shows: private contacts only when unlocked, then the filter, then the search. */
export function visiblePeople(state: Pick<ContactsState, 'people' | 'query' | 'filter' | 'privateUnlocked'>): LocalPerson[] {
  const query = foldFullWidth(state.query).trim().toLowerCase();
  const digits = query.replace(/\D/g, '');
  return state.people.filter((person) => {
    if (person.isPrivate && !state.privateUnlocked) return false;
    if (state.filter === 'users' && person.userId === undefined) return false;
    if (typeof state.filter === 'object' && !person.groupIds.includes(state.filter.groupId)) return false;
    if (query === '') return true;
    if (person.name.toLowerCase().includes(query)) return true;
    if (matchesPinyin(person.name, query)) return true;
    return digits !== '' && person.phones.some((phone) => phone.e164.replace(/\D/g, '').includes(digits));
  });
}
