import { AsyncEntry, findCredentialsAsync, type EntryOptions } from '@napi-rs/keyring';
import type { z } from 'zod';
import { schemaFor, type SecretFor, type VaultAccount } from './secrets.js';

export type VaultErrorCode =
  /** No OS keychain answers (Linux: no Secret Service on the session bus, or its collection is locked). */
  | 'keychain_unavailable'
  /** The account name is outside the `session:` / `credential:` namespaces. */
  | 'invalid_account'
  /** The value does not match its namespace's schema; nothing was written. */
  | 'invalid_secret'
  /** The keychain holds something under this name that is not ours or no longer parses. */
  | 'corrupt_secret';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type Vault = {
  readonly service: string;
  setSecret<Account extends VaultAccount>(account: Account, value: SecretFor<Account>): Promise<void>;
  /** `undefined` when nothing is stored under that name. */
  getSecret<Account extends VaultAccount>(account: Account): Promise<SecretFor<Account> | undefined>;
  /** `true` when an item was deleted, `false` when there was none. */
  deleteSecret(account: VaultAccount): Promise<boolean>;
  /** Names (never values) of this service's items in our namespaces, optionally only those starting with `prefix`. */
  list(prefix?: string): Promise<VaultAccount[]>;
};

export type VaultOptions = { service?: string };

/*
 * Pinning matters on Linux: without it the binding silently falls back to the kernel keyring when no
 * Secret Service runs, which keeps secrets in memory only and loses them at reboot. Pinned, it throws
 * instead, and we turn that into `keychain_unavailable`. Other platforms ignore the option.
 */
const pinnedStore: EntryOptions = { linux: { store: 'secret-service' } };

export function keychainUnavailableMessage(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'the macOS login keychain is not reachable or is locked: unlock it (Keychain Access) and try again';
    case 'win32':
      return 'the Windows Credential Manager is not reachable: sign in to a normal user session and try again';
    default:
      return (
        'no Secret Service keychain answers on the D-Bus session bus. Install and unlock one: in a desktop session ' +
        'GNOME Keyring or KWallet does this at login; headless, install `gnome-keyring dbus-x11 libsecret-tools` and run ' +
        '`dbus-run-session -- sh -c \'echo "" | gnome-keyring-daemon --unlock --components=secrets; <command>\'`. ' +
        'Switchboard never falls back to a file or the kernel keyring'
      );
  }
}

function unavailable(cause: unknown): VaultError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new VaultError('keychain_unavailable', `keychain unavailable (${reason}): ${keychainUnavailableMessage()}`, { cause });
}

/** Every native call goes through here: whatever the platform layer throws means the keychain failed us. */
async function keychainCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailable(error);
  }
}

export function createVault(options: VaultOptions = {}): Vault {
  const service = options.service ?? 'switchboard';
  if (!/^[\w.-]{1,64}$/.test(service)) throw new RangeError(`not a keychain service name: ${JSON.stringify(service)}`);

  const schemaOf = (account: string) => {
    const schema = schemaFor(account);
    if (!schema) {
      throw new VaultError('invalid_account', `"${account}" is not a vault name: use session:<server URL> or credential:<pluginId>:<accountId>`);
    }
    return schema as z.ZodType<unknown>;
  };
  // The constructor is where a pinned store that is missing throws, so it belongs inside the guard.
  const entry = (account: string) => keychainCall(async () => new AsyncEntry(service, account, pinnedStore));

  return {
    service,

    async setSecret(account, value) {
      const parsed = schemaOf(account).safeParse(value);
      if (!parsed.success) {
        // Issue paths only: the rejected value may be a secret and must not end up in a message or log.
        const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(value)').join(', ');
        throw new VaultError('invalid_secret', `the value for ${account} does not match its schema (${where})`);
      }
      const item = await entry(account);
      await keychainCall(() => item.setPassword(JSON.stringify(parsed.data)));
    },

    async getSecret<Account extends VaultAccount>(account: Account): Promise<SecretFor<Account> | undefined> {
      const schema = schemaOf(account);
      const item = await entry(account);
      const stored = await keychainCall(() => item.getPassword());
      if (stored === null) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(stored);
      } catch {
        throw new VaultError('corrupt_secret', `the keychain item ${account} is not JSON; delete it and bind again`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new VaultError('corrupt_secret', `the keychain item ${account} does not match its schema; delete it and bind again`);
      return parsed.data as SecretFor<Account>;
    },

    async deleteSecret(account) {
      schemaOf(account);
      const item = await entry(account);
      return keychainCall(() => item.deletePassword());
    },

    async list(prefix = '') {
      // findCredentials takes no store option; a pinned entry first proves the Secret Service is the store
      // it will search, so a missing keychain fails here instead of listing the kernel keyring.
      await entry('session:https://probe.invalid');
      const found = await keychainCall(() => findCredentialsAsync(service));
      return found
        .map((credential) => credential.account)
        .filter((account): account is VaultAccount => account.startsWith(prefix) && schemaFor(account) !== undefined)
        .sort();
    },
  };
}
