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

/** The networks a row offers: every network for a Switchboard user, else the ones the person was found on. */
export function rowPlugins(person: LocalPerson | undefined, plugins: readonly PluginSummary[]): readonly PluginSummary[] {
  if (person === undefined) return [];
  if (person.userId !== undefined) return plugins;
  const networks = new Set((person.networks ?? []).map((network) => network.pluginId));
  return plugins.filter((plugin) => networks.has(plugin.id));
}
