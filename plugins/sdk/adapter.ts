/**
 * The one interface behind which a plugin's optional code lives (manifest field `main`). The host
 * runs that code isolated and hands it only what is below: no file system, no process, no network
 * beyond `allowedHosts`, and secrets namespaced to the plugin. Types only, so the SDK stays pure.
 */
import type { ContactIdentity } from '#common/plugin-manifest/index.js';

export interface PluginRequestInit {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Readonly<Record<string, string>>;
  /** Text only; encode JSON or form bodies yourself. */
  body?: string;
}

export interface PluginResponse {
  status: number;
  ok: boolean;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string>>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** Secrets of this plugin only (tokens, cursors), kept in the OS keychain by the host. */
export interface PluginSecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface PluginContext {
  readonly pluginId: string;
  /**
   * HTTPS requests to the manifest's `allowedHosts` only; any other host rejects with an error
   * before a connection is made, so a plugin cannot leak contacts elsewhere.
   */
  fetch(url: string, init?: PluginRequestInit): Promise<PluginResponse>;
  readonly secrets: PluginSecretStore;
  /** The current access token from account binding, when the plugin has `auth`. */
  accessToken(): Promise<string | undefined>;
  /** Aborted when the host stops the call (timeout, app quitting). */
  readonly signal: { readonly aborted: boolean };
}

/** A contact found on the network; it stays on the device; only phone numbers reach the server. */
export interface ImportedContact {
  displayName?: string;
  /** E.164 numbers known for the contact on this network; the host normalises and may drop invalid ones. */
  phones: string[];
  /** What the network tells about the contact (e.g. handle, id, email, server); mapped to the manifest's declared identity fields where they publish. */
  identity: Omit<ContactIdentity, 'phone'>;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Seconds from now. */
  expiresIn?: number;
  scopes?: string[];
}

/** Every method is optional: implement the ones your manifest's capabilities promise. */
export interface PluginAdapter {
  /** Capability "contacts-import": the person's contacts on this network. */
  importContacts?(ctx: PluginContext): Promise<ImportedContact[]>;
  /** Capability "identity-lookup": the network identity behind a phone number, or undefined. */
  lookupIdentity?(ctx: PluginContext, phone: string): Promise<Omit<ContactIdentity, 'phone'> | undefined>;
  /** For networks whose token refresh is not plain RFC 6749 (the host handles that case itself). */
  refreshToken?(ctx: PluginContext, refreshToken: string): Promise<TokenSet>;
}
