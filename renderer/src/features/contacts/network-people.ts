import { mergePeople } from '#common/address-book/merge-people.js';
import type { NetworkContact, PluginSummary } from '#common/bridge/index.js';
import type { LocalPerson } from '../../db/local-db.js';

/**
 * The people list the Contacts screen shows: the address book's people, joined by the contacts of the
 * person's bound network accounts (M11, the shared `mergePeople`), plus those network contacts who
 * match nobody, as people of their own. Network-only people live in this view only: they are not
 * uploaded and not stored with the address book; the host keeps them.
 */
export function withNetworkContacts(people: readonly LocalPerson[], contacts: readonly NetworkContact[]): LocalPerson[] {
  if (contacts.length === 0) return [...people];
  const byRef = new Map(people.map((person) => [person.ref, person]));
  const merged = mergePeople(
    people.map((person) => ({ ref: person.ref, name: person.name, phones: person.phones, ...(person.emails === undefined ? {} : { emails: person.emails }) })),
    contacts,
  );
  return merged.map((person): LocalPerson => {
    const known = person.addressBookRef === undefined ? undefined : byRef.get(person.addressBookRef);
    if (known !== undefined) return person.networks.length === 0 ? known : { ...known, networks: person.networks };
    return {
      ref: person.key,
      name: person.name,
      phones: person.phones.map((e164) => ({ e164, raw: e164 })),
      emails: person.emails,
      groupIds: [],
      isPrivate: false,
      networks: person.networks,
    };
  });
}

/** How long a network stays on a person's row after they were last seen active on it. */
export const RECENT_ACTIVITY_MS = 30 * 24 * 60 * 60_000;

/** What decides which networks a row shows: where the person is active now, and was active lately. */
export type NetworkUse = {
  /** Plugin ids the person is active on now. */
  activeNow: ReadonlySet<string>;
  /** Plugin id to when the person was last seen active there (ISO). */
  lastActive: Readonly<Record<string, string>> | undefined;
  now: number;
};

/**
 * The networks a row offers: only those the person uses — active on now, published an identity for,
 * found on by a bound account, or active on within RECENT_ACTIVITY_MS — lit ones first. The others
 * stay in the contact's detail.
 */
export function rowPlugins(person: LocalPerson | undefined, plugins: readonly PluginSummary[], use?: NetworkUse): readonly PluginSummary[] {
  if (person === undefined) return [];
  const found = new Set((person.networks ?? []).map((network) => network.pluginId));
  const published = new Set(Object.keys(person.identities ?? {}));
  const recent = (pluginId: string) => {
    const at = use?.lastActive?.[pluginId];
    return at !== undefined && use !== undefined && use.now - Date.parse(at) <= RECENT_ACTIVITY_MS;
  };
  const used = plugins.filter((plugin) => found.has(plugin.id) || published.has(plugin.id) || use?.activeNow.has(plugin.id) === true || recent(plugin.id));
  const lit = (plugin: PluginSummary) => Number(use?.activeNow.has(plugin.id) === true);
  return [...used].sort((a, b) => lit(b) - lit(a));
}
