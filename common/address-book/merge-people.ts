// M11: contacts imported from bound network accounts join the people of the address book. Pure code
// (the desktop core, the web client and tests share it); phones are E.164 on the way in.
import type { AddressBookEntry } from './types.js';

/** One contact as a bound account's plugin returned it (after the host checked its shape and numbers). */
export interface BoundContact {
  pluginId: string;
  /** The bound account it came from (`credential:<pluginId>:<accountId>`). */
  accountId: string;
  displayName?: string;
  /** E.164. */
  phones: string[];
  identity: NetworkIdentity;
}

/** What a network says about the person there (handle, id, e-mail, server...); never the phone. */
export type NetworkIdentity = Readonly<Record<string, string>>;

/** The fields a plugin gave that carry a value, without the phone (which travels in `phones`). */
export function networkIdentity(fields: Readonly<Record<string, string | undefined>>): NetworkIdentity {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[0] !== 'phone' && typeof entry[1] === 'string' && entry[1] !== ''));
}

export type JoinReason = 'phone' | 'email' | 'handle' | 'id';

/** Where a person is reachable on one network: the fields its launch templates use. */
export interface PersonNetwork {
  pluginId: string;
  accountId: string;
  displayName?: string;
  identity: NetworkIdentity;
}

export interface MergedPerson {
  /** Stable across imports: `book:<ref>` for address-book people, else `net:<pluginId>:<handle or id>`. */
  key: string;
  /** The address book's name wins (the person named them); otherwise the first network display name. */
  name: string;
  phones: string[];
  emails: string[];
  addressBookRef?: string;
  networks: PersonNetwork[];
  /** Why network contacts joined this person; empty for a person only the address book knows. */
  joinedBy: JoinReason[];
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();
const networkHandleKey = (contact: BoundContact) =>
  contact.identity.handle === undefined || contact.identity.handle.trim() === ''
    ? undefined
    : `handle:${contact.pluginId}:${contact.identity.handle.trim().toLowerCase()}@${(contact.identity.server ?? '').toLowerCase()}`;
const networkIdKey = (contact: BoundContact) =>
  contact.identity.id === undefined || contact.identity.id.trim() === '' ? undefined : `id:${contact.pluginId}:${contact.identity.id.trim()}@${(contact.identity.server ?? '').toLowerCase()}`;

function emailsOf(contact: BoundContact): string[] {
  return contact.identity.email === undefined || contact.identity.email.trim() === '' ? [] : [normaliseEmail(contact.identity.email)];
}

function addUnique<T>(list: T[], values: readonly T[]): void {
  for (const value of values) if (!list.includes(value)) list.push(value);
}

function joinContact(person: MergedPerson, contact: BoundContact, reason: JoinReason | undefined): void {
  addUnique(person.phones, contact.phones);
  addUnique(person.emails, emailsOf(contact));
  if (reason !== undefined) addUnique(person.joinedBy, [reason]);
  person.networks.push({
    pluginId: contact.pluginId,
    accountId: contact.accountId,
    ...(contact.displayName === undefined ? {} : { displayName: contact.displayName }),
    identity: contact.identity,
  });
}

/**
 * The contact list: every address-book entry is a person, and each network contact joins the person it
 * matches, by phone number first, then e-mail, then the same handle or id on the same network (one
 * person seen through two bound accounts). Address-book entries never merge with each other through a
 * network contact: the person's own list is the authority on who is who, so a contact that lists two
 * friends' numbers joins one of them (the first by phone) instead of fusing the two. Network contacts
 * matching nobody become people of their own, grouped by the same keys.
 */
export function mergePeople(addressBook: readonly AddressBookEntry[], bound: readonly BoundContact[]): MergedPerson[] {
  const people: MergedPerson[] = [];
  const byKey = new Map<string, MergedPerson>();
  const index = (person: MergedPerson, key: string) => {
    if (!byKey.has(key)) byKey.set(key, person);
  };

  for (const entry of addressBook) {
    const person: MergedPerson = {
      key: `book:${entry.ref}`,
      name: entry.name,
      phones: entry.phones.map((phone) => phone.e164),
      emails: (entry.emails ?? []).map(normaliseEmail),
      addressBookRef: entry.ref,
      networks: [],
      joinedBy: [],
    };
    people.push(person);
    for (const phone of person.phones) index(person, `phone:${phone}`);
    for (const email of person.emails) index(person, `email:${email}`);
  }

  const match = (contact: BoundContact): { person: MergedPerson; reason: JoinReason } | undefined => {
    for (const phone of contact.phones) {
      const person = byKey.get(`phone:${phone}`);
      if (person) return { person, reason: 'phone' };
    }
    for (const email of emailsOf(contact)) {
      const person = byKey.get(`email:${email}`);
      if (person) return { person, reason: 'email' };
    }
    const handle = networkHandleKey(contact);
    const byHandle = handle === undefined ? undefined : byKey.get(handle);
    if (byHandle) return { person: byHandle, reason: 'handle' };
    const id = networkIdKey(contact);
    const byId = id === undefined ? undefined : byKey.get(id);
    if (byId) return { person: byId, reason: 'id' };
    return undefined;
  };
  const indexContact = (person: MergedPerson, contact: BoundContact) => {
    for (const phone of contact.phones) index(person, `phone:${phone}`);
    for (const email of emailsOf(contact)) index(person, `email:${email}`);
    for (const key of [networkHandleKey(contact), networkIdKey(contact)]) if (key !== undefined) index(person, key);
  };

  // Two passes: the address book gets first claim on every contact, whatever order the networks answered in.
  const unmatched: BoundContact[] = [];
  const keys = new Set(people.map((person) => person.key));
  for (const contact of bound) {
    const found = match(contact);
    if (found === undefined || found.person.addressBookRef === undefined) {
      unmatched.push(contact);
      continue;
    }
    joinContact(found.person, contact, found.reason);
    indexContact(found.person, contact);
  }
  for (const contact of unmatched) {
    const found = match(contact);
    if (found !== undefined) {
      joinContact(found.person, contact, found.reason);
      indexContact(found.person, contact);
      continue;
    }
    const server = contact.identity.server === undefined ? '' : `@${contact.identity.server.toLowerCase()}`;
    const handleOrId = contact.identity.handle ?? contact.identity.id;
    const base = `net:${contact.pluginId}:${handleOrId === undefined ? (contact.phones[0] ?? emailsOf(contact)[0] ?? 'contact') : handleOrId + server}`;
    let key = base;
    for (let suffix = 2; keys.has(key); suffix += 1) key = `${base}#${suffix}`;
    keys.add(key);
    const person: MergedPerson = {
      key,
      name: contact.displayName ?? contact.identity.handle ?? contact.phones[0] ?? '',
      phones: [],
      emails: [],
      networks: [],
      joinedBy: [],
    };
    joinContact(person, contact, undefined);
    indexContact(person, contact);
    people.push(person);
  }
  return people;
}
