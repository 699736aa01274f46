/**
 * The tables as kysely sees them. Times are epoch milliseconds (bigint in PostgreSQL, parsed back to
 * numbers); flags are 0/1 integers so both SQLite and PostgreSQL store them the same way.
 */
export interface UsersTable {
  id: string;
  type: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface UserPhonesTable {
  phone: string;
  /** Keyed hash of `phone`: what address-book uploads are matched against. */
  phone_hash: string;
  user_id: string;
  is_primary: number;
  verified_at: number;
}

export interface VerificationsTable {
  id: string;
  phone: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  sends: number;
  last_sent_at: number;
  /** Checks reserved against the current code (right or wrong); reset by a resend. */
  wrong_checks: number;
  consumed_at: number | null;
  /** Keyed hash of the address that asked for the code; only that address is offered a resend. */
  requester_hash: string | null;
}

/** Password attempts since the last success, per keyed hash of a number or of (number, address). */
export interface PasswordThrottleTable {
  key_hash: string;
  attempts: number;
  last_attempt_at: number;
}

export interface TicketsTable {
  hash: string;
  phone: string;
  expires_at: number;
  used_at: number | null;
}

export interface DevicesTable {
  user_id: string;
  device_id: string;
  name: string;
  platform: string;
  blocked: number;
  first_seen_at: number;
  last_seen_at: number;
  blocked_at: number | null;
  /** 1 when the device first signed in after another device of the account was blocked. */
  flagged: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  device_id: string;
  login_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** Sliding sessions move `expires_at` to now + this on use; null for a fixed expiry. */
  idle_ttl_ms: number | null;
  /** A web session's cookie: `kept` across browser restarts or `browser` (ends with it); null for bearer sessions. */
  web_cookie: string | null;
}

export interface LoginLogTable {
  id: string;
  user_id: string;
  device_id: string;
  device_name: string;
  platform: string;
  ip: string;
  method: string;
  login_at: number;
  logout_at: number | null;
}

export interface AddressBooksTable {
  user_id: string;
  version: number;
  /** The oldest version the change log still reaches back to. */
  log_floor: number;
  updated_at: number;
}

export interface AddressBookRefsTable {
  user_id: string;
  ref: string;
  sealed: string | null;
}

export interface AddressBookPhonesTable {
  user_id: string;
  ref: string;
  phone_hash: string;
}

export interface AddressBookChangesTable {
  user_id: string;
  version: number;
  op: string;
  ref: string;
  sealed: string | null;
}

export interface PrivacySettingsTable {
  user_id: string;
  activity_visible_to: string;
  /** "all" or a JSON array of plugin ids. */
  shared_apps: string;
  discoverable: number;
  /** `everyone`, `contacts` or `nobody`: who may add the user to a group. */
  group_adds_by: string;
  updated_at: number;
}

export interface BlocksTable {
  user_id: string;
  blocked_user_id: string;
  created_at: number;
}

export interface AllowsTable {
  user_id: string;
  allowed_user_id: string;
  created_at: number;
}

/** One OAuth binding attempt (M19); see migration 0004. */
export interface OAuthStatesTable {
  id: string;
  start_hash: string;
  state_hash: string | null;
  user_id: string;
  device_id: string;
  plugin_id: string;
  instance: string | null;
  return_to: string;
  sealed_verifier: string | null;
  created_at: number;
  expires_at: number;
}

export interface OAuthHandoffsTable {
  id_hash: string;
  user_id: string;
  device_id: string;
  plugin_id: string;
  sealed_payload: string;
  created_at: number;
  expires_at: number;
}

export interface OAuthDynamicClientsTable {
  plugin_id: string;
  instance: string;
  client_id: string;
  sealed_client_secret: string;
  redirect_uri: string;
  created_at: number;
}

export interface BoundAccountsTable {
  user_id: string;
  plugin_id: string;
  bound_at: number;
  /** The federated instance the account lives on; null for other networks (and bindings before 0011). */
  instance: string | null;
}

/** Keyed number hashes already counted against a user's daily discovery quota (day = epoch day, UTC). */
export interface DiscoveryChargesTable {
  user_id: string;
  day: number;
  phone_hash: string;
}

/** Messages (M22, M23, M25); see migration 0025. */
export interface ConversationsTable {
  id: string;
  kind: string;
  title: string | null;
  direct_key: string | null;
  last_seq: number;
  last_activity_at: number;
  created_at: number;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  joined_seq: number;
  left_seq: number | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  /** The sending device, which has the message from its answer (null: no device, or sent before it was kept). */
  sender_device_id: string | null;
  client_id: string;
  /** JSON of the message body. */
  body: string;
  route: string;
  sms: number;
  sent_at: number;
}

export interface MessageCursorsTable {
  user_id: string;
  device_id: string;
  conversation_id: string;
  delivered_seq: number;
  read_seq: number;
}

export interface AttachmentsTable {
  id: string;
  uploader_id: string;
  content_type: string;
  size: number;
  sha256: string;
  file_name: string | null;
  created_at: number;
}

export interface MessageAttachmentsTable {
  attachment_id: string;
  conversation_id: string;
  seq: number;
}

/** A user's own handle on another network, as they published it (issue 11). */
export interface PublishedIdentitiesTable {
  user_id: string;
  plugin_id: string;
  /** JSON object of the plugin's declared fields. */
  fields: string;
  /** "contacts" | "allowlist" | "nobody", or null to follow the activity setting. */
  visible_to: string | null;
  updated_at: number;
}

/** A device's public key for the end-to-end book key, and the key wrapped for it once approved. */
export interface DeviceKeysTable {
  user_id: string;
  device_id: string;
  public_key: string;
  state: string;
  wrapped_key: string | null;
  wrapped_by: string | null;
  requested_at: number;
  answered_at: number | null;
}

/** The book key wrapped with the user's recovery key (ciphertext only). */
export interface BookKeyRecoveryTable {
  user_id: string;
  wrapped_key: string;
  created_at: number;
}

/** Interworking (M28); see migration 0080. */
export interface OutsideContactsTable {
  user_id: string;
  address: string;
  network: string;
  added_at: number;
  presence_status: string | null;
  presence_text: string | null;
  presence_at: number | null;
}

export interface OutsideConversationsTable {
  conversation_id: string;
  user_id: string;
  address: string;
  network: string;
  sent_seq: number;
  delivered_seq: number;
  read_seq: number;
  displayed_seq: number;
}

export interface OutsideInboundTable {
  conversation_id: string;
  seq: number;
  stanza_id: string;
  reply_to: string;
  receipt_sent: number;
  markable: number;
}

export interface OutsideLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** What a user publishes about themselves (issue 16). */
export interface ProfilesTable {
  user_id: string;
  display_name: string | null;
  signature: string | null;
  avatar_attachment_id: string | null;
  updated_at: number;
}

/** The one row numbering posts, bumped in the inserting transaction (commit order = number order). */
export interface PostCounterTable {
  name: string;
  last_seq: number;
}

export interface PostsTable {
  id: string;
  seq: number;
  author_id: string;
  kind: string;
  text: string;
  /** contacts | allowlist | private, resolved at posting. */
  visible_to: string;
  created_at: number;
  /** One more with every change of its likes or comments (migration 0095). */
  counts_version: number;
}

export interface PostAttachmentsTable {
  post_id: string;
  position: number;
  attachment_id: string;
}

export interface PostCommentsTable {
  id: string;
  post_id: string;
  author_id: string;
  text: string;
  created_at: number;
}

export interface PostLikesTable {
  post_id: string;
  user_id: string;
  created_at: number;
}

/** The badge: the highest post number a user marked seen. */
export interface FeedMarksTable {
  user_id: string;
  seen_seq: number;
}

export interface AlbumsTable {
  id: string;
  owner_id: string;
  title: string;
  visible_to: string;
  created_at: number;
}

export interface AlbumPhotosTable {
  id: string;
  album_id: string;
  attachment_id: string;
  caption: string | null;
  created_at: number;
}

/** SMS fallback and gateway (migration 0050). */
export interface SmsOptOutsTable {
  phone_hash: string;
  opted_out_at: number;
}

export interface SmsDailyCountsTable {
  counter_key: string;
  day: number;
  count: number;
}

export interface SmsInboundSeenTable {
  dedupe_key: string;
  seen_at: number;
}

export interface SmsGatewaySessionsTable {
  phone: string;
  user_id: string;
  session_id: string;
  device_id: string;
  language: string;
  last_conversation_id: string | null;
  signed_in_at: number;
}

export interface Database {
  users: UsersTable;
  user_phones: UserPhonesTable;
  verifications: VerificationsTable;
  password_throttle: PasswordThrottleTable;
  tickets: TicketsTable;
  devices: DevicesTable;
  sessions: SessionsTable;
  login_log: LoginLogTable;
  address_books: AddressBooksTable;
  address_book_refs: AddressBookRefsTable;
  address_book_phones: AddressBookPhonesTable;
  address_book_changes: AddressBookChangesTable;
  discovery_charges: DiscoveryChargesTable;
  privacy_settings: PrivacySettingsTable;
  blocks: BlocksTable;
  allows: AllowsTable;
  oauth_states: OAuthStatesTable;
  oauth_handoffs: OAuthHandoffsTable;
  oauth_dynamic_clients: OAuthDynamicClientsTable;
  bound_accounts: BoundAccountsTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  messages: MessagesTable;
  message_cursors: MessageCursorsTable;
  attachments: AttachmentsTable;
  message_attachments: MessageAttachmentsTable;
  published_identities: PublishedIdentitiesTable;
  device_keys: DeviceKeysTable;
  book_key_recovery: BookKeyRecoveryTable;
  outside_contacts: OutsideContactsTable;
  outside_conversations: OutsideConversationsTable;
  outside_inbound: OutsideInboundTable;
  outside_leases: OutsideLeasesTable;
  profiles: ProfilesTable;
  post_counter: PostCounterTable;
  posts: PostsTable;
  post_attachments: PostAttachmentsTable;
  post_comments: PostCommentsTable;
  post_likes: PostLikesTable;
  feed_marks: FeedMarksTable;
  albums: AlbumsTable;
  album_photos: AlbumPhotosTable;
  sms_opt_outs: SmsOptOutsTable;
  sms_daily_counts: SmsDailyCountsTable;
  sms_inbound_seen: SmsInboundSeenTable;
  sms_gateway_sessions: SmsGatewaySessionsTable;
}
