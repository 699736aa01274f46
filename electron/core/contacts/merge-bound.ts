import { mergePeople, networkIdentity, type BoundContact, type MergedPerson } from '#common/address-book/merge-people.js';
import type { AddressBookEntry } from '#common/address-book/types.js';
import { PluginHostError, type PluginHost } from '../plugin-host/index.js';

/** One bound account whose network's plugin imports contacts. */
export interface BoundSource {
  host: PluginHost;
  accountId: string;
}

export interface SourceFailure {
  pluginId: string;
  accountId: string;
  /** The host's code (plugin_timeout, plugin_crashed, plugin_error…) or `unexpected_error`. */
  code: string;
  /** The plugin's own code when it threw one (e.g. Mastodon's `unauthorized`). */
  pluginCode?: string;
  message: string;
}

export interface BoundContactsMerge {
  people: MergedPerson[];
  /** Per account: how many contacts it gave, or why it gave none. */
  imported: { pluginId: string; accountId: string; contacts: number; droppedPhones: number }[];
  failures: SourceFailure[];
}

export interface BoundContactsImport {
  contacts: BoundContact[];
  imported: BoundContactsMerge['imported'];
  failures: SourceFailure[];
}

/**
 * Imports the contacts of every bound account through its plugin's sandbox, all at once. One network
 * failing (a revoked token, a crashed plugin) costs only that network's contacts: the others still
 * come back, and the failure comes back with its code.
 */
export async function importBoundContacts(sources: readonly BoundSource[]): Promise<BoundContactsImport> {
  const results = await Promise.allSettled(sources.map((source) => source.host.importContacts({ accountId: source.accountId })));
  const contacts: BoundContact[] = [];
  const imported: BoundContactsMerge['imported'] = [];
  const failures: SourceFailure[] = [];
  results.forEach((result, position) => {
    const source = sources[position];
    if (source === undefined) return;
    const { pluginId } = source.host;
    if (result.status === 'fulfilled') {
      imported.push({ pluginId, accountId: source.accountId, contacts: result.value.contacts.length, droppedPhones: result.value.droppedPhones });
      for (const contact of result.value.contacts) contacts.push({ pluginId, accountId: source.accountId, ...contact, identity: networkIdentity(contact.identity) });
      return;
    }
    failures.push(sourceFailure(pluginId, source.accountId, result.reason));
  });
  return { contacts, imported, failures };
}

export function sourceFailure(pluginId: string, accountId: string, error: unknown): SourceFailure {
  return {
    pluginId,
    accountId,
    code: error instanceof PluginHostError ? error.code : 'unexpected_error',
    ...(error instanceof PluginHostError && error.pluginCode !== undefined ? { pluginCode: error.pluginCode } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Imports (see `importBoundContacts`) and joins the contacts into the address book's people (M11). */
export async function mergeBoundContacts(addressBook: readonly AddressBookEntry[], sources: readonly BoundSource[]): Promise<BoundContactsMerge> {
  const { contacts, imported, failures } = await importBoundContacts(sources);
  return { people: mergePeople(addressBook, contacts), imported, failures };
}
