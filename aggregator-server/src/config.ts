import path from 'node:path';
import { z } from 'zod';

const smsProviders = ['outbox', 'twilio', 'kannel'] as const;
export type SmsProviderName = (typeof smsProviders)[number];

/**
 * Limits in one place so operators and tests can see (and tune) every rule of the identity flow.
 *
 * The rules slow an attacker down per address and per verification; none of them can be used by a
 * stranger to keep a number's owner out:
 * - Code checks: each verification allows `maxChecksPerVerification` checks per code sent, reserved
 *   atomically before the comparison; a resend gives a fresh budget (at most `maxSendsPerVerification`
 *   sends). Per address, `checksPerIpPerHour`. Failed codes never count against the number itself.
 * - Code sends: per address `sendsPerIpPerHour`; per (number, address) `sendsPerPhonePerAddressPerDay`;
 *   per number `sendsPerPhonePerDay` from all addresses, past which only an address's FIRST code of the
 *   day to that number still goes out, so someone spending the number's quota elsewhere cannot stop the
 *   owner asking from their own address.
 * - Passwords: attempts are counted (and reserved atomically) per (number, address): from
 *   `passwordSlowDownAfterPerAddress` each further try waits 1 s, doubling up to `passwordMaxDelayMs`; per
 *   number from all addresses the same from `passwordSlowDownAfterPerPhone`. This only ever delays
 *   password sign-in, never SMS codes, and there is no lock: a success clears both counters and
 *   `passwordAttemptsForgetMs` after the last attempt they are forgotten.
 */
export type IdentityLimits = {
  codeTtlMs: number;
  maxChecksPerVerification: number;
  resendCooldownsMs: readonly number[];
  maxSendsPerVerification: number;
  ticketTtlMs: number;
  sessionTtlMs: number;
  sendsPerPhonePerDay: number;
  sendsPerPhonePerAddressPerDay: number;
  sendsPerIpPerHour: number;
  checksPerIpPerHour: number;
  passwordAttemptsPerIpPerHour: number;
  passwordSlowDownAfterPerAddress: number;
  passwordSlowDownAfterPerPhone: number;
  passwordMaxDelayMs: number;
  passwordAttemptsForgetMs: number;
};

export const defaultIdentityLimits: IdentityLimits = {
  codeTtlMs: 10 * 60_000,
  maxChecksPerVerification: 5,
  resendCooldownsMs: [30_000, 60_000, 120_000],
  maxSendsPerVerification: 5,
  ticketTtlMs: 10 * 60_000,
  sessionTtlMs: 90 * 24 * 60 * 60_000,
  sendsPerPhonePerDay: 10,
  sendsPerPhonePerAddressPerDay: 5,
  sendsPerIpPerHour: 30,
  checksPerIpPerHour: 200,
  passwordAttemptsPerIpPerHour: 100,
  passwordSlowDownAfterPerAddress: 5,
  passwordSlowDownAfterPerPhone: 10,
  passwordMaxDelayMs: 5 * 60_000,
  passwordAttemptsForgetMs: 24 * 60 * 60_000,
};

/**
 * How long records that only serve sign-in are kept once they are of no further use, then purged every
 * `intervalMs` (README, "Retention").
 */
export type RetentionSettings = {
  intervalMs: number;
  /** Verifications and sign-in tickets, after they expired. */
  codesMs: number;
  /** Sessions, after they expired or were ended. */
  sessionsMs: number;
  /** Login log entries, after the login. */
  loginLogMs: number;
};

const dayMs = 24 * 60 * 60_000;

export const defaultRetention: RetentionSettings = {
  intervalMs: 60 * 60_000,
  codesMs: dayMs,
  sessionsMs: 30 * dayMs,
  loginLogMs: 180 * dayMs,
};

/** Discovery quotas: how many numbers not yet in a user's book may be checked, to hold back enumeration. */
export type ContactLimits = {
  /** After the first upload, distinct new numbers per account per day. */
  newNumbersPerUserPerDay: number;
  /** Distinct new numbers per client address per day, first uploads included. */
  newNumbersPerIpPerDay: number;
  /** The largest address-book upload read at all (a 20,000-entry book is a few MB). */
  maxUploadBytes: number;
  /** Bytes of address-book uploads per user per day, refused ones included (charged before reading). */
  uploadBytesPerUserPerDay: number;
};

export const defaultContactLimits: ContactLimits = {
  newNumbersPerUserPerDay: 500,
  newNumbersPerIpPerDay: 50_000,
  maxUploadBytes: 16 * 1024 * 1024,
  uploadBytesPerUserPerDay: 64 * 1024 * 1024,
};

/** Sockets (security review items 6 and 11): caps, the shared event allowance, session re-checks. */
export type RealtimeLimits = {
  /** How often live sockets are re-checked against their session (revoked, expired). */
  sessionCheckMs: number;
  socketsPerUser: number;
  socketsPerAddress: number;
  handshakesPerAddressPerMinute: number;
  /** Events a user may send per 10 seconds, all their sockets together, unknown events included. */
  eventsPerUserPer10s: number;
};

export const defaultRealtimeLimits: RealtimeLimits = {
  sessionCheckMs: 60_000,
  socketsPerUser: 10,
  // One address may be a whole office behind NAT: generous, but finite.
  socketsPerAddress: 500,
  handshakesPerAddressPerMinute: 600,
  eventsPerUserPer10s: 200,
};

export type TwilioConfig = { accountSid: string; authToken: string; from: string; baseUrl: string };
export type KannelConfig = { sendUrl: string; username: string; password: string; from: string };

/** What one user may publish an hour (M27): posts, comments, and likes or unlikes (each pushed live to an audience). */
export type PostLimits = { postsPerHour: number; commentsPerHour: number; likesPerHour: number };

/** Chat messages (M22, M23): how long the server keeps them and what one sender may cost. */
export type MessageSettings = {
  /** Messages older than this are purged from the server; devices keep their own history. */
  retentionDays: number;
  /** SMS (fallback texts and offline notices) one sender may cause a day: toll-fraud cap. */
  smsPerSenderPerDay: number;
  perSenderPerMinute: number;
  /** Largest file one upload may carry; more answers 413 too_large. */
  attachmentMaxBytes: number;
  /** How often every connected device re-reads what it missed, in case a notice between nodes was lost. */
  catchUpMs: number;
};

/**
 * Interworking (M28): this server joins an XMPP server as an external component (XEP-0114). Off unless
 * all three of XMPP_COMPONENT_SERVICE, XMPP_COMPONENT_DOMAIN and XMPP_COMPONENT_SECRET are set.
 */
export type XmppComponentConfig = {
  /** `xmpp://host:port` of the XMPP server's component port. */
  service: string;
  /** The component's domain: users are `<E.164 digits>@domain`. */
  domain: string;
  secret: string;
  /** How long one node's hold on the component connection lasts without renewal. */
  leaseMs: number;
  /** How often the holder re-reads what is still to go out (a lost nudge between nodes costs only this). */
  sweepMs: number;
};

/**
 * An S3-compatible bucket for attachments (issue 13 item 4); without it files stay on disk under DATA_DIR.
 * No credentials means the AWS SDK's standard chain (an instance role, a profile).
 */
export type S3Settings = {
  bucket: string;
  region: string;
  /** Another service than AWS (Ceph, Garage, SeaweedFS, R2...): its URL. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Every key starts with this, so the bucket can hold other things too. */
  prefix: string;
};

/** SMS fallback and gateway (M24, M29): caps, inbound guard and de-duplication. */
export type SmsSettings = {
  /** The shared secret Kannel (or any gateway) sends with inbound SMS; inbound is off without it. */
  inboundSecret: string | undefined;
  /** Where national numbers from the gateway belong (Kannel may give `13800138000`). */
  defaultRegion: string | undefined;
  /** Longest SMS the server sends, in parts; longer texts are cut with an ellipsis. */
  maxParts: number;
  /** SMS parts one number may receive a day as fallbacks and notices, from all senders together. */
  perReceiverPerDay: number;
  /** SMS parts a phone signed in by SMS may receive a day (relayed messages and answers). */
  gatewayPerPhonePerDay: number;
  /** Help answers to a phone that is not signed in, per day. */
  helpPerPhonePerDay: number;
  /** How long an inbound SMS is remembered to drop a repeat. */
  dedupeWindowMs: number;
};

/** Calls (M26): ring time, and the STUN/TURN servers handed to devices (TURN with coturn REST credentials). */
export type CallSettings = {
  ringMs: number;
  /** How long a party's device may be gone (a reconnect) before its call ends. */
  reconnectGraceMs: number;
  stunUrls: string[];
  turn: { urls: string[]; secret: string; ttlSeconds: number } | undefined;
  /** Every call through TURN only: the parties never learn each other's addresses. */
  relayOnly: boolean;
};

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Namespace for every key this deployment keeps in Redis. */
  redisKeyPrefix: string;
  sms: { provider: SmsProviderName; twilio?: TwilioConfig; kannel?: KannelConfig };
  /** Key for hashing codes, tokens and phone numbers; lives outside the database. */
  secret: string | undefined;
  adminToken: string | undefined;
  logLevel: string;
  limits: IdentityLimits;
  retention: RetentionSettings;
  /** Serve the development outbox (GET /v1/dev/sms) although HOST is not a loopback address. */
  smsOutboxPublic: boolean;
  contactLimits: ContactLimits;
  realtimeLimits: RealtimeLimits;
  /** How long a user stays online after their last connection went away, so a reconnect does not blink. */
  presenceGraceMs: number;
  messages: MessageSettings;
  postLimits: PostLimits;
  /** Where attachment files live: an S3-compatible bucket, or undefined for DATA_DIR/attachments. */
  attachmentStorage: S3Settings | undefined;
  smsSettings: SmsSettings;
  calls: CallSettings;
  /**
   * Which proxies in front of this server may name the client in X-Forwarded-For: false (none), a hop
   * count (the N right-most proxies), or proxy addresses and CIDR ranges. Never "trust everything": the
   * left-most entry is written by the client.
   */
  trustProxy: false | number | string[];
  /** Serve HTTPS (and WSS) directly when both are set (M30); otherwise plain HTTP behind a TLS proxy. */
  tls: { certFile: string; keyFile: string } | undefined;
  bodyLimit: string;
  /** JSON file with this server's OAuth client registrations per plugin (account binding); holds secrets. */
  oauthClientsFile: string | undefined;
  /** Development and tests only: federated OAuth instances may live on private addresses. */
  oauthAllowPrivateInstances: boolean;
  /**
   * The origin browsers and providers reach this server at (OAuth redirect URIs, authorize links). Required
   * with OAuth clients unless the server listens on loopback only, where its own listen URL is used.
   */
  publicUrl: string | undefined;
  /** Folder of plugin folders the catalogue serves; the repository's plugins/ when unset. */
  pluginsDir: string | undefined;
  /** The XMPP bridge (M28), when configured. */
  xmpp: XmppComponentConfig | undefined;
};

const trustProxyPattern = /^(\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL').optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/).default('sb:'),
  SMS_SENDS_PER_PHONE_PER_DAY: z.coerce.number().int().min(1).optional(),
  SMS_SENDS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).optional(),
  CODE_CHECKS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).optional(),
  RETENTION_PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).optional(),
  RETENTION_CODES_DAYS: z.coerce.number().int().min(0).max(3650).optional(),
  RETENTION_SESSIONS_DAYS: z.coerce.number().int().min(0).max(3650).optional(),
  RETENTION_LOGIN_LOG_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  SMS_OUTBOX_PUBLIC: z.enum(['0', '1']).default('0'),
  DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY: z.coerce.number().int().min(1).optional(),
  REALTIME_SESSION_CHECK_MS: z.coerce.number().int().min(100).max(3_600_000).optional(),
  SOCKETS_PER_USER: z.coerce.number().int().min(1).optional(),
  SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).optional(),
  SOCKET_HANDSHAKES_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  PRESENCE_GRACE_MS: z.coerce.number().int().min(200).max(120_000).default(5000),
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
  MESSAGE_CATCHUP_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  POSTS_PER_HOUR: z.coerce.number().int().min(1).default(60),
  POST_COMMENTS_PER_HOUR: z.coerce.number().int().min(1).default(300),
  POST_LIKES_PER_HOUR: z.coerce.number().int().min(1).default(1000),
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  MESSAGE_SMS_PER_SENDER_PER_DAY: z.coerce.number().int().min(0).max(10_000).default(20),
  MESSAGES_PER_SENDER_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, dots and dashes)').optional(),
  S3_ENDPOINT: z.string().url('S3_ENDPOINT must be a URL such as https://s3.example.com').optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['0', '1']).optional(),
  S3_PREFIX: z.string().regex(/^[\w!.*'()/-]{0,200}$/, 'S3_PREFIX may hold letters, digits and !-_.*\'()/').optional(),
  CALL_RING_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  CALL_RECONNECT_GRACE_SECONDS: z.coerce.number().min(0).max(300).default(15),
  STUN_URLS: z.string().optional(),
  TURN_URLS: z.string().optional(),
  TURN_SECRET: z.string().min(16, 'TURN_SECRET needs at least 16 characters').optional(),
  TURN_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
  CALL_RELAY_ONLY: z.enum(['0', '1']).default('0'),
  SMS_PROVIDER: z.enum(smsProviders).default('outbox'),
  SMS_INBOUND_SECRET: z.string().min(16, 'SMS_INBOUND_SECRET needs at least 16 characters').optional(),
  SMS_DEFAULT_REGION: z.string().regex(/^[A-Za-z]{2}$/, 'SMS_DEFAULT_REGION is a two-letter region such as CN').optional(),
  SMS_MAX_PARTS: z.coerce.number().int().min(1).max(10).default(5),
  SMS_PER_RECEIVER_PER_DAY: z.coerce.number().int().min(0).max(10_000).default(10),
  SMS_GATEWAY_PER_PHONE_PER_DAY: z.coerce.number().int().min(0).max(100_000).default(500),
  SMS_HELP_PER_PHONE_PER_DAY: z.coerce.number().int().min(0).max(100).default(3),
  SMS_DEDUPE_WINDOW_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(48),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_FROM: z.string().optional(),
  TWILIO_BASE_URL: z.string().url().default('https://api.twilio.com'),
  KANNEL_SEND_URL: z.string().url().default('http://127.0.0.1:13013/cgi-bin/sendsms'),
  KANNEL_USERNAME: z.string().optional(),
  KANNEL_PASSWORD: z.string().optional(),
  KANNEL_FROM: z.string().default('Switchboard'),
  SWITCHBOARD_SECRET: z.string().min(32, 'SWITCHBOARD_SECRET needs at least 32 characters').optional(),
  SWITCHBOARD_ADMIN_TOKEN: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z
    .string()
    .regex(trustProxyPattern, 'TRUST_PROXY must be a hop count (0, 1, 2...) or a comma-separated list of proxy addresses or CIDR ranges')
    .default('0'),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  OAUTH_CLIENTS_FILE: z.string().min(1).optional(),
  OAUTH_ALLOW_PRIVATE_INSTANCES: z.enum(['0', '1']).default('0'),
  PLUGINS_DIR: z.string().min(1).optional(),
  XMPP_COMPONENT_SERVICE: z
    .string()
    .regex(/^xmpps?:\/\/[^/?#\s]+:\d{1,5}$/, 'XMPP_COMPONENT_SERVICE must look like xmpp://host:port')
    .optional(),
  XMPP_COMPONENT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/, 'XMPP_COMPONENT_DOMAIN must be a domain name in lower case')
    .optional(),
  XMPP_COMPONENT_SECRET: z.string().min(8, 'XMPP_COMPONENT_SECRET needs at least 8 characters').optional(),
  XMPP_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  XMPP_SWEEP_MS: z.coerce.number().int().min(200).max(600_000).default(10_000),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+$/, 'PUBLIC_URL must be an origin such as https://switchboard.example.com')
    .optional(),
});

export class ConfigError extends Error {}

/** A hop count, or addresses/CIDR ranges (and express's names loopback, linklocal, uniquelocal). */
function trustProxySetting(value: string): ServerConfig['trustProxy'] {
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** A comma-separated list of ICE server URLs (`stun:host:3478`, `turn:host:3478?transport=udp`, `turns:...`). */
function urlList(value: string | undefined): string[] {
  const urls = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const wrong = urls.find((url) => !/^(stuns?|turns?):[^\s]+$/.test(url));
  if (wrong !== undefined) throw new ConfigError(`STUN_URLS and TURN_URLS take stun:, stuns:, turn: or turns: URLs, not "${wrong}"`);
  return urls;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${reasons.join('; ')}`);
  }
  const e = parsed.data;
  const sms: ServerConfig['sms'] = { provider: e.SMS_PROVIDER };
  if (e.SMS_PROVIDER === 'twilio') {
    if (!e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN || !e.TWILIO_FROM) {
      throw new ConfigError('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM');
    }
    sms.twilio = {
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      from: e.TWILIO_FROM,
      baseUrl: e.TWILIO_BASE_URL,
    };
  }
  if (e.SMS_PROVIDER === 'kannel') {
    if (!e.KANNEL_USERNAME || !e.KANNEL_PASSWORD) {
      throw new ConfigError('SMS_PROVIDER=kannel needs KANNEL_USERNAME and KANNEL_PASSWORD');
    }
    sms.kannel = { sendUrl: e.KANNEL_SEND_URL, username: e.KANNEL_USERNAME, password: e.KANNEL_PASSWORD, from: e.KANNEL_FROM };
  }
  if (Boolean(e.TURN_URLS) !== Boolean(e.TURN_SECRET)) throw new ConfigError('TURN_URLS and TURN_SECRET go together: set both to hand out TURN credentials, or neither');
  if (e.CALL_RELAY_ONLY === '1' && !e.TURN_URLS) throw new ConfigError('CALL_RELAY_ONLY=1 needs TURN (TURN_URLS and TURN_SECRET): without it no call could connect');
  if (e.OAUTH_CLIENTS_FILE && !e.PUBLIC_URL && !/^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(e.HOST)) {
    // Redirect URIs are never taken from the Host header a client writes; a public server must say its origin.
    throw new ConfigError('OAUTH_CLIENTS_FILE needs PUBLIC_URL (the origin browsers reach this server at) unless HOST is a loopback address');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    sms,
    secret: e.SWITCHBOARD_SECRET,
    adminToken: e.SWITCHBOARD_ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    limits: {
      ...defaultIdentityLimits,
      ...(e.SMS_SENDS_PER_PHONE_PER_DAY === undefined ? {} : { sendsPerPhonePerDay: e.SMS_SENDS_PER_PHONE_PER_DAY }),
      ...(e.SMS_SENDS_PER_IP_PER_HOUR === undefined ? {} : { sendsPerIpPerHour: e.SMS_SENDS_PER_IP_PER_HOUR }),
      ...(e.CODE_CHECKS_PER_IP_PER_HOUR === undefined ? {} : { checksPerIpPerHour: e.CODE_CHECKS_PER_IP_PER_HOUR }),
    },
    retention: {
      intervalMs: (e.RETENTION_PURGE_INTERVAL_MINUTES ?? defaultRetention.intervalMs / 60_000) * 60_000,
      codesMs: e.RETENTION_CODES_DAYS === undefined ? defaultRetention.codesMs : e.RETENTION_CODES_DAYS * dayMs,
      sessionsMs: e.RETENTION_SESSIONS_DAYS === undefined ? defaultRetention.sessionsMs : e.RETENTION_SESSIONS_DAYS * dayMs,
      loginLogMs: e.RETENTION_LOGIN_LOG_DAYS === undefined ? defaultRetention.loginLogMs : e.RETENTION_LOGIN_LOG_DAYS * dayMs,
    },
    smsOutboxPublic: e.SMS_OUTBOX_PUBLIC === '1',
    contactLimits: {
      ...defaultContactLimits,
      ...(e.DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY === undefined ? {} : { newNumbersPerIpPerDay: e.DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY }),
    },
    realtimeLimits: {
      ...defaultRealtimeLimits,
      ...(e.REALTIME_SESSION_CHECK_MS === undefined ? {} : { sessionCheckMs: e.REALTIME_SESSION_CHECK_MS }),
      ...(e.SOCKETS_PER_USER === undefined ? {} : { socketsPerUser: e.SOCKETS_PER_USER }),
      ...(e.SOCKETS_PER_ADDRESS === undefined ? {} : { socketsPerAddress: e.SOCKETS_PER_ADDRESS }),
      ...(e.SOCKET_HANDSHAKES_PER_ADDRESS_PER_MINUTE === undefined ? {} : { handshakesPerAddressPerMinute: e.SOCKET_HANDSHAKES_PER_ADDRESS_PER_MINUTE }),
    },
    presenceGraceMs: e.PRESENCE_GRACE_MS,
    messages: {
      retentionDays: e.MESSAGE_RETENTION_DAYS,
      smsPerSenderPerDay: e.MESSAGE_SMS_PER_SENDER_PER_DAY,
      perSenderPerMinute: e.MESSAGES_PER_SENDER_PER_MINUTE,
      attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
      catchUpMs: e.MESSAGE_CATCHUP_MS,
    },
    postLimits: { postsPerHour: e.POSTS_PER_HOUR, commentsPerHour: e.POST_COMMENTS_PER_HOUR, likesPerHour: e.POST_LIKES_PER_HOUR },
    attachmentStorage: s3Settings(e),
    smsSettings: {
      inboundSecret: e.SMS_INBOUND_SECRET,
      defaultRegion: e.SMS_DEFAULT_REGION?.toUpperCase(),
      maxParts: e.SMS_MAX_PARTS,
      perReceiverPerDay: e.SMS_PER_RECEIVER_PER_DAY,
      gatewayPerPhonePerDay: e.SMS_GATEWAY_PER_PHONE_PER_DAY,
      helpPerPhonePerDay: e.SMS_HELP_PER_PHONE_PER_DAY,
      dedupeWindowMs: e.SMS_DEDUPE_WINDOW_HOURS * 60 * 60_000,
    },
    calls: {
      ringMs: e.CALL_RING_SECONDS * 1000,
      reconnectGraceMs: e.CALL_RECONNECT_GRACE_SECONDS * 1000,
      stunUrls: urlList(e.STUN_URLS),
      turn: e.TURN_URLS && e.TURN_SECRET ? { urls: urlList(e.TURN_URLS), secret: e.TURN_SECRET, ttlSeconds: e.TURN_TTL_SECONDS } : undefined,
      relayOnly: e.CALL_RELAY_ONLY === '1',
    },
    trustProxy: trustProxySetting(e.TRUST_PROXY),
    tls: tlsSettings(e.TLS_CERT_FILE, e.TLS_KEY_FILE),
    // Every body but an address book is a few hundred bytes; this one is read before authentication.
    bodyLimit: '256kb',
    oauthClientsFile: e.OAUTH_CLIENTS_FILE ? path.resolve(e.OAUTH_CLIENTS_FILE) : undefined,
    oauthAllowPrivateInstances: e.OAUTH_ALLOW_PRIVATE_INSTANCES === '1',
    publicUrl: e.PUBLIC_URL,
    pluginsDir: e.PLUGINS_DIR ? path.resolve(e.PLUGINS_DIR) : undefined,
    xmpp: xmppSettings(e),
  };
}

function xmppSettings(e: z.infer<typeof envSchema>): XmppComponentConfig | undefined {
  const { XMPP_COMPONENT_SERVICE: service, XMPP_COMPONENT_DOMAIN: domain, XMPP_COMPONENT_SECRET: secret } = e;
  if (!service && !domain && !secret) return undefined;
  if (!service || !domain || !secret) {
    throw new ConfigError('the XMPP bridge needs all of XMPP_COMPONENT_SERVICE, XMPP_COMPONENT_DOMAIN and XMPP_COMPONENT_SECRET');
  }
  return { service, domain, secret, leaseMs: e.XMPP_LEASE_MS, sweepMs: e.XMPP_SWEEP_MS };
}

function tlsSettings(certFile: string | undefined, keyFile: string | undefined): ServerConfig['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('TLS needs both TLS_CERT_FILE and TLS_KEY_FILE');
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

/** S3 storage when S3_BUCKET is set; any other S3_ variable without it is a mistake said at start-up. */
function s3Settings(e: z.infer<typeof envSchema>): S3Settings | undefined {
  const given = (['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'S3_PREFIX'] as const).filter((name) => e[name] !== undefined);
  if (!e.S3_BUCKET) {
    if (given.length === 0) return undefined;
    throw new ConfigError(`attachments in S3 need S3_BUCKET (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set without it); unset them to keep files under DATA_DIR`);
  }
  if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError('S3 needs both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (to use the AWS standard credentials of the machine)');
  }
  if (e.S3_ENDPOINT === undefined && e.S3_REGION === undefined) {
    throw new ConfigError('S3 needs S3_REGION for AWS, or S3_ENDPOINT (and usually S3_REGION) for another S3-compatible service');
  }
  const prefix = e.S3_PREFIX ?? 'attachments/';
  return {
    bucket: e.S3_BUCKET,
    // Most S3-compatible services ignore the region but the signature needs one.
    region: e.S3_REGION ?? 'us-east-1',
    endpoint: e.S3_ENDPOINT,
    // Services other than AWS rarely have a DNS name per bucket: path style unless told otherwise.
    forcePathStyle: e.S3_FORCE_PATH_STYLE === undefined ? e.S3_ENDPOINT !== undefined : e.S3_FORCE_PATH_STYLE === '1',
    credentials: e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } : undefined,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}
