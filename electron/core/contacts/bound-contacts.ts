import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BoundContact } from '#common/address-book/merge-people.js';
import { networkContact, type AccountsSyncResult } from '#common/bridge/contract.js';
import type { ContactIdentity } from '#common/plugin-manifest/index.js';
import { expiresSoon, refreshBoundToken } from '../accounts/token-refresh.js';
import { PluginHostError, type PluginHost, type PluginHosts } from '../plugin-host/index.js';
import { credentialAccount, type Vault } from '../vault/index.js';
import { importBoundContacts, type BoundContactsImport, type SourceFailure } from './merge-bound.js';

export interface BoundContactsOptions {
  vault: Vault;
  hosts: PluginHosts;
  /** The folder of the desktop state; the network contacts live next to it. */
  configDir: string;
  /** The server's token refresh for one bound account (electron/core/accounts). */
  serverRefresh(pluginId: string, accountId: string): Promise<unknown>;
  now?: () => number;
}

export type BoundContactsSync = AccountsSyncResult;

export const BOUND_CONTACTS_FILE = 'network-contacts.json';

const storedContacts = z.object({ version: z.literal(1), contacts: z.array(networkContact) });

const CREDENTIAL_PREFIX = 'credential:';
/** The code adapters throw for a token the network refused (plugins/sdk/README.md). */
const UNAUTHORIZED = 'unauthorized';

/** `credential:<plugin>:<account>` into its parts; plugin ids never hold ':'. */
function splitCredential(name: string): { pluginId: string; accountId: string } | undefined {
  if (!name.startsWith(CREDENTIAL_PREFIX)) return undefined;
  const rest = name.slice(CREDENTIAL_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon <= 0 ? undefined : { pluginId: rest.slice(0, colon), accountId: rest.slice(colon + 1) };
}

/**
 * The network side of the people list (M11): the contacts of every bound account, imported by the
 * account's plugin in its sandbox with the credential from the keychain, kept on this machine (names
 * never reach the server) and merged with the address book by `mergePeople` wherever people are shown.
 * Tokens about to expire, or refused by the network, are refreshed once and the import tried again.
 */
export class BoundContacts {
  private readonly file: string;
  private running: Promise<BoundContactsSync> | undefined;

  constructor(private readonly options: BoundContactsOptions) {
    this.file = path.join(options.configDir, BOUND_CONTACTS_FILE);
  }

  /** What the last sync brought; nothing before the first one, or when the file is unreadable. */
  list(): BoundContact[] {
    try {
      const parsed = storedContacts.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.contacts : [];
    } catch {
      return [];
    }
  }

  /** The bound accounts whose network's plugin imports contacts. */
  async accounts(): Promise<{ pluginId: string; accountId: string; host: PluginHost }[]> {
    const importing = new Set(this.options.hosts.withCapability('contacts-import').map((plugin) => plugin.id));
    const found: { pluginId: string; accountId: string; host: PluginHost }[] = [];
    for (const name of await this.options.vault.list(CREDENTIAL_PREFIX)) {
      const parts = splitCredential(name);
      if (parts === undefined || !importing.has(parts.pluginId)) continue;
      const host = this.options.hosts.hostFor(parts.pluginId);
      if (host !== undefined) found.push({ ...parts, host });
    }
    return found;
  }

  /** Imports every bound account now (one sync at a time; a second caller shares the running one). */
  sync(): Promise<BoundContactsSync> {
    this.running ??= this.runSync().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The first bound account whose network knows this number, through the plugins' `lookupIdentity`. */
  async lookupIdentity(phone: string): Promise<{ pluginId: string; accountId: string; identity: Omit<ContactIdentity, 'phone'> } | undefined> {
    const looking = new Set(this.options.hosts.withCapability('identity-lookup').map((plugin) => plugin.id));
    for (const name of await this.options.vault.list(CREDENTIAL_PREFIX)) {
      const parts = splitCredential(name);
      const host = parts === undefined || !looking.has(parts.pluginId) ? undefined : this.options.hosts.hostFor(parts.pluginId);
      if (parts === undefined || host === undefined) continue;
      const identity = await this.lookupWithAccount(parts.pluginId, parts.accountId, host, phone).catch(() => undefined);
      if (identity !== undefined) return { ...parts, identity };
    }
    return undefined;
  }

  private async runSync(): Promise<BoundContactsSync> {
    const outcomes = await Promise.all((await this.accounts()).map((account) => this.importAccount(account)));
    const failures: SourceFailure[] = outcomes.flatMap((outcome) => outcome.failures);
    const failed = new Set(failures.map((failure) => `${failure.pluginId}\n${failure.accountId}`));
    // An account that failed this time keeps what it gave last time: a revoked token should not empty the list.
    const kept = this.list().filter((contact) => failed.has(`${contact.pluginId}\n${contact.accountId}`));
    const contacts = [...kept, ...outcomes.flatMap((outcome) => outcome.contacts)];
    this.save(contacts);
    return { contacts, imported: outcomes.flatMap((outcome) => outcome.imported), failures };
  }

  /** One account's import; a token the network refused is renewed once and the import tried again. */
  private async importAccount({ pluginId, accountId, host }: { pluginId: string; accountId: string; host: PluginHost }): Promise<BoundContactsImport> {
    await this.refreshIfExpiring(pluginId, accountId, host);
    const first = await importBoundContacts([{ host, accountId }]);
    if (!first.failures.some((failure) => failure.pluginCode === UNAUTHORIZED)) return first;
    return (await this.refresh(pluginId, accountId, host)) ? importBoundContacts([{ host, accountId }]) : first;
  }

  private async lookupWithAccount(pluginId: string, accountId: string, host: PluginHost, phone: string): Promise<Omit<ContactIdentity, 'phone'> | undefined> {
    await this.refreshIfExpiring(pluginId, accountId, host);
    try {
      return await host.lookupIdentity(phone, { accountId });
    } catch (error) {
      if (!(error instanceof PluginHostError && error.pluginCode === UNAUTHORIZED) || !(await this.refresh(pluginId, accountId, host))) throw error;
      return host.lookupIdentity(phone, { accountId });
    }
  }

  private async refreshIfExpiring(pluginId: string, accountId: string, host: PluginHost): Promise<void> {
    // A keychain failure is the call's failure, not "no credential".
    const credential = await this.options.vault.getSecret(credentialAccount(pluginId, accountId));
    if (credential?.type === 'oauth2' && expiresSoon(credential, (this.options.now ?? Date.now)())) await this.refresh(pluginId, accountId, host);
  }

  /** Renews the account's token; a refresh that fails is answered as "not renewed", and the call's own failure stands. */
  private refresh(pluginId: string, accountId: string, host: PluginHost): Promise<boolean> {
    const options = { vault: this.options.vault, host, serverRefresh: this.options.serverRefresh, ...(this.options.now ? { now: this.options.now } : {}) };
    return refreshBoundToken(options, pluginId, accountId).catch(() => false);
  }

  private save(contacts: BoundContact[]): void {
    fs.mkdirSync(this.options.configDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    // Names and handles of other people: readable by this user only.
    fs.writeFileSync(temporary, JSON.stringify({ version: 1, contacts }) + '\n', { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }
}
