import Dexie, { type EntityTable } from 'dexie';
import type { PersonNetwork } from '#common/address-book/merge-people.js';
import type { AddressBookPhone } from '#common/address-book/types.js';
import type { PrivacySettings } from '#common/contract/privacy.js';
import { randomRef } from '#common/address-book/refs.js';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import type { ChatFile, ChatOutboxEntry, LocalChatMessage, LocalConversation } from '../features/chat/chat-types.js';
import type { WebCryptoKey, WebCryptoKeyPair } from '#common/address-book/web-crypto.js';
import type { CommentView, PostView } from '../features/feed/post-types.js';

/**
 * Everything the UI shows comes from here first, so the list appears at once on start and works
 * offline. Names and groups leave the device only sealed end to end (sync/sealed-people.ts): the server
 * gets numbers, refs and ciphertext it cannot open.
 */
export interface LocalPerson {
  /** The address-book ref (also sent to the server next to the numbers). */
  ref: string;
  name: string;
  phones: AddressBookPhone[];
  emails?: string[];
  org?: string;
  /** Free text the person wrote about this contact; travels sealed end to end like the name. */
  notes?: string;
  /** The Switchboard user behind one of the numbers, once the server matched it. */
  userId?: string;
  mutual?: boolean;
  blocked?: boolean;
  groupIds: string[];
  /** M17: hidden from the list until the private-contacts password unlocks the view. */
  isPrivate: boolean;
  /** Desktop notifications when this contact comes online (the host does the notifying). */
  notify?: boolean;
  /** What the contact publishes about their accounts on other networks, per plugin id (from the server). */
  identities?: Record<string, Record<string, string>>;
  /**
   * Where the person is on bound network accounts (M11). Set only in the merged view the Contacts
   * screen shows (features/contacts/network-people.ts), never stored.
   */
  networks?: PersonNetwork[];
}

export interface LocalGroup {
  id: string;
  name: string;
  createdAt: string;
}

export type CachedPresence = PresenceEvent;

/** When a contact was last seen active on one network (from presence), kept so that rows show it later. */
export interface NetworkActivity {
  userId: string;
  pluginId: string;
  /** ISO time the contact was last seen active there. */
  lastActiveAt: string;
}

export interface PrivateVaultRecord {
  salt: string;
  iterations: number;
  verifier: string;
}

/** Small typed key-value rows. */
export interface MetaValues {
  ownerUserId: string;
  addressBookVersion: number;
  privateVault: PrivateVaultRecord;
  lastSyncAt: string;
  /** When the connection to the server was last lost; "last seen" for contacts shown offline. */
  lastOnlineAt: string;
  /** The last privacy settings and blocklist the server sent, shown while offline. */
  privacyCache: { settings: PrivacySettings; blocklist: { userId: string; since: string }[] };
  /** The last bound accounts the server listed, shown while offline. */
  accountsCache: { plugin: string; boundAt: string }[];
  /** The local book changed and the server has not confirmed the upload yet. */
  addressBookDirty: boolean;
  /** The book as it was before the last import, for "Undo import". */
  importUndo: { people: LocalPerson[]; fileName: string; at: string };
  /**
   * This device's ECDH key pair for receiving the book key. The private key is a non-extractable
   * CryptoKey: IndexedDB keeps the key object, and its bytes can never be read out by script.
   */
  deviceKeyPair: WebCryptoKeyPair;
  /** The user's address-book key (AES-256-GCM) once this device made, received or restored it. */
  bookKey: WebCryptoKey;
}
export type MetaKey = keyof MetaValues;
interface MetaRow {
  key: MetaKey;
  value: unknown;
}

export class LocalDatabase extends Dexie {
  people!: EntityTable<LocalPerson, 'ref'>;
  groups!: EntityTable<LocalGroup, 'id'>;
  presence!: EntityTable<CachedPresence, 'userId'>;
  meta!: EntityTable<MetaRow, 'key'>;
  networkActivity!: Dexie.Table<NetworkActivity, [string, string]>;
  chatConversations!: EntityTable<LocalConversation, 'id'>;
  chatMessages!: EntityTable<LocalChatMessage, 'key'>;
  chatOutbox!: EntityTable<ChatOutboxEntry, 'key'>;
  chatFiles!: Dexie.Table<ChatFile, [string, string]>;
  /** The newest posts of the feed as last shown (features/feed/saved-feed.ts), so the Feed opens offline. */
  feedPosts!: EntityTable<PostView, 'id'>;
  /** The comments of saved posts whose thread was read on this device, so they open offline too. */
  feedComments!: EntityTable<CommentView, 'id'>;

  constructor(name = 'switchboard') {
    super(name);
    this.version(1).stores({
      people: 'ref, userId',
      groups: 'id',
      presence: 'userId',
      meta: 'key',
    });
    // Version 2: refs used to be an unkeyed hash of the first number (`p1-…`), which anyone holding the
    // server's copy could reverse. Each such person gets a random ref; the book is marked for upload, so the
    // next sync replaces the server's refs too.
    this.version(2)
      .stores({ people: 'ref, userId', groups: 'id', presence: 'userId', meta: 'key' })
      .upgrade(async (tx) => {
        const people = tx.table<LocalPerson, string>('people');
        const legacy = (await people.toArray()).filter((person) => person.ref.startsWith('p1-'));
        if (legacy.length === 0) return;
        await people.bulkDelete(legacy.map((person) => person.ref));
        await people.bulkAdd(legacy.map((person) => ({ ...person, ref: randomRef() })));
        await tx.table<MetaRow, MetaKey>('meta').put({ key: 'addressBookDirty', value: true });
      });
    // Version 3: the last time each contact was active on each network, so rows show the networks a person uses.
    this.version(3).stores({ people: 'ref, userId', groups: 'id', presence: 'userId', meta: 'key', networkActivity: '[userId+pluginId], userId' });
    // Version 4: the user's chat history (M22-M25) kept on the device, the outbox of messages written
    // offline, and the pictures' thumbnails, so a conversation shows at once and works without a connection.
    this.version(4).stores({
      chatConversations: 'id, lastActivityAt',
      chatMessages: 'key, [conversationId+position], conversationId',
      chatOutbox: 'key, createdAt',
      chatFiles: '[attachmentId+variant]',
    });
    // Version 5: the newest posts of the feed, with their counts and author lines, so the Feed shows at
    // once on start and without a connection. Ordered by the server's feed position.
    this.version(5).stores({ feedPosts: 'id, seq' });
    // Version 6: the comments of those posts, for the threads this device read.
    this.version(6).stores({ feedComments: 'id, postId' });
  }

  async getMeta<Key extends MetaKey>(key: Key): Promise<MetaValues[Key] | undefined> {
    const row = await this.meta.get(key);
    return row?.value as MetaValues[Key] | undefined;
  }

  async setMeta<Key extends MetaKey>(key: Key, value: MetaValues[Key]): Promise<void> {
    await this.meta.put({ key, value });
  }

  async deleteMeta(key: MetaKey): Promise<void> {
    await this.meta.delete(key);
  }

  /** The chat's tables: the history, the outbox and the cached files. */
  chatTables() {
    return [this.chatConversations, this.chatMessages, this.chatOutbox, this.chatFiles] as const;
  }

  /** The saved feed: posts and the comments read under them. */
  feedTables() {
    return [this.feedPosts, this.feedComments] as const;
  }

  async clearFeed(): Promise<void> {
    await Promise.all(this.feedTables().map((table) => table.clear()));
  }

  async clearChat(): Promise<void> {
    await Promise.all(this.chatTables().map((table) => table.clear()));
  }

  /** Another user signs in on this browser: nothing of the previous one may show. */
  async claimFor(userId: string): Promise<void> {
    const owner = await this.getMeta('ownerUserId');
    if (owner === userId) return;
    await this.transaction('rw', [this.people, this.groups, this.presence, this.meta, this.networkActivity, ...this.feedTables(), ...this.chatTables()], async () => {
      await Promise.all([this.people.clear(), this.groups.clear(), this.presence.clear(), this.meta.clear(), this.networkActivity.clear(), this.clearFeed(), this.clearChat()]);
      await this.setMeta('ownerUserId', userId);
    });
  }
}

export const localDb = new LocalDatabase();
