/** A binding attempt from the start ticket to the provider's callback. */
export type OAuthStateRecord = {
  id: string;
  userId: string;
  deviceId: string;
  pluginId: string;
  instance: string | undefined;
  returnTo: string;
  sealedVerifier: string | undefined;
  expiresAt: number;
};

export type HandoffRecord = { userId: string; deviceId: string; pluginId: string; sealedPayload: string; expiresAt: number };

export type DynamicClientRecord = { pluginId: string; instance: string; clientId: string; sealedClientSecret: string; redirectUri: string };

/** Storage of account binding (M19); implemented once over kysely for SQLite and PostgreSQL. */
export interface AccountsRepository {
  /** Deletes the user's bindings and any binding attempt still open (account deletion). */
  deleteUser(userId: string): Promise<void>;
  createState(input: { id: string; startHash: string; userId: string; deviceId: string; pluginId: string; instance: string | undefined; returnTo: string; now: number; expiresAt: number }): Promise<void>;
  /** Uses the start ticket once; answers the attempt while it is still live, else `undefined`. */
  consumeStart(startHash: string, now: number): Promise<OAuthStateRecord | undefined>;
  /** Attaches the OAuth `state` (hash) and the sealed PKCE verifier to an attempt. */
  attachState(id: string, stateHash: string, sealedVerifier: string): Promise<boolean>;
  /** Reads a live attempt by its state without using it: the callback needs its instance first. */
  peekState(stateHash: string, now: number): Promise<OAuthStateRecord | undefined>;
  /** Removes the attempt so its state and verifier can serve one code exchange only. */
  takeState(stateHash: string, now: number): Promise<OAuthStateRecord | undefined>;

  createHandoff(input: { idHash: string; userId: string; deviceId: string; pluginId: string; sealedPayload: string; now: number; expiresAt: number }): Promise<void>;
  /**
   * Deletes and answers the handoff when it is live and belongs to this user, device and plugin;
   * anything else answers `undefined` and leaves it in place for its rightful owner.
   */
  takeHandoff(idHash: string, owner: { userId: string; deviceId: string; pluginId: string }, now: number): Promise<HandoffRecord | undefined>;

  findDynamicClient(pluginId: string, instance: string): Promise<DynamicClientRecord | undefined>;
  /** Replaces an earlier registration on the same instance (the callback URL changed); answers the one kept. */
  saveDynamicClient(client: DynamicClientRecord, now: number): Promise<DynamicClientRecord>;

  bind(userId: string, pluginId: string, instance: string | undefined, now: number): Promise<void>;
  /** The user's binding of the plugin, with its instance (null when none was recorded). */
  binding(userId: string, pluginId: string): Promise<{ instance: string | null } | undefined>;
  unbind(userId: string, pluginId: string): Promise<boolean>;
  boundAccounts(userId: string): Promise<{ pluginId: string; boundAt: number }[]>;

  /** Drops expired attempts and handoffs. */
  purgeExpired(now: number): Promise<void>;
}
