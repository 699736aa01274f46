import path from 'node:path';
import { z } from 'zod';

const smsProviders = ['outbox', 'twilio', 'kannel'] as const;
export type SmsProviderName = (typeof smsProviders)[number];

/** Limits in one place so operators and tests can see (and tune) every rule of the identity flow. */
export type IdentityLimits = {
  codeTtlMs: number;
  maxChecksPerVerification: number;
  resendCooldownsMs: readonly number[];
  maxSendsPerVerification: number;
  slowDownAfterFailures: number;
  lockAfterFailures: number;
  lockMs: number;
  ticketTtlMs: number;
  sessionTtlMs: number;
  sendsPerPhonePerDay: number;
  sendsPerIpPerHour: number;
  passwordAttemptsPerIpPerHour: number;
  checksPerIpPerHour: number;
};

export const defaultIdentityLimits: IdentityLimits = {
  codeTtlMs: 10 * 60_000,
  maxChecksPerVerification: 5,
  resendCooldownsMs: [30_000, 60_000, 120_000],
  maxSendsPerVerification: 5,
  slowDownAfterFailures: 10,
  lockAfterFailures: 20,
  lockMs: 60 * 60_000,
  ticketTtlMs: 10 * 60_000,
  sessionTtlMs: 90 * 24 * 60 * 60_000,
  sendsPerPhonePerDay: 10,
  sendsPerIpPerHour: 30,
  passwordAttemptsPerIpPerHour: 100,
  checksPerIpPerHour: 200,
};

/** Discovery quotas: how many numbers not yet in a user's book may be checked, to hold back enumeration. */
export type ContactLimits = {
  /** After the first upload, distinct new numbers per account per day. */
  newNumbersPerUserPerDay: number;
  /** Distinct new numbers per client address per day, first uploads included. */
  newNumbersPerIpPerDay: number;
};

export const defaultContactLimits: ContactLimits = {
  newNumbersPerUserPerDay: 500,
  newNumbersPerIpPerDay: 50_000,
};

export type TwilioConfig = { accountSid: string; authToken: string; from: string; baseUrl: string };
export type KannelConfig = { sendUrl: string; username: string; password: string; from: string };

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
  contactLimits: ContactLimits;
  /** How long a user stays online after their last connection went away, so a reconnect does not blink. */
  presenceGraceMs: number;
  messages: MessageSettings;
  trustProxy: boolean;
  /** Serve HTTPS (and WSS) directly when both are set (M30); otherwise plain HTTP behind a TLS proxy. */
  tls: { certFile: string; keyFile: string } | undefined;
  bodyLimit: string;
  /** JSON file with this server's OAuth client registrations per plugin (account binding); holds secrets. */
  oauthClientsFile: string | undefined;
  /** Development and tests only: federated OAuth instances may live on private addresses. */
  oauthAllowPrivateInstances: boolean;
  /** The origin browsers and providers reach this server at; by default taken from each request. */
  publicUrl: string | undefined;
  /** Folder of plugin folders the catalogue serves; the repository's plugins/ when unset. */
  pluginsDir: string | undefined;
};

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
  DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY: z.coerce.number().int().min(1).optional(),
  PRESENCE_GRACE_MS: z.coerce.number().int().min(200).max(120_000).default(5000),
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
  MESSAGE_CATCHUP_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  MESSAGE_SMS_PER_SENDER_PER_DAY: z.coerce.number().int().min(0).max(10_000).default(20),
  MESSAGES_PER_SENDER_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  SMS_PROVIDER: z.enum(smsProviders).default('outbox'),
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
  TRUST_PROXY: z.enum(['0', '1']).default('0'),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  OAUTH_CLIENTS_FILE: z.string().min(1).optional(),
  OAUTH_ALLOW_PRIVATE_INSTANCES: z.enum(['0', '1']).default('0'),
  PLUGINS_DIR: z.string().min(1).optional(),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+$/, 'PUBLIC_URL must be an origin such as https://switchboard.example.com')
    .optional(),
});

export class ConfigError extends Error {}

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
    contactLimits: {
      ...defaultContactLimits,
      ...(e.DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY === undefined ? {} : { newNumbersPerIpPerDay: e.DISCOVERY_NEW_NUMBERS_PER_IP_PER_DAY }),
    },
    presenceGraceMs: e.PRESENCE_GRACE_MS,
    messages: {
      retentionDays: e.MESSAGE_RETENTION_DAYS,
      smsPerSenderPerDay: e.MESSAGE_SMS_PER_SENDER_PER_DAY,
      perSenderPerMinute: e.MESSAGES_PER_SENDER_PER_MINUTE,
      attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
      catchUpMs: e.MESSAGE_CATCHUP_MS,
    },
    trustProxy: e.TRUST_PROXY === '1',
    tls: tlsSettings(e.TLS_CERT_FILE, e.TLS_KEY_FILE),
    bodyLimit: '2mb',
    oauthClientsFile: e.OAUTH_CLIENTS_FILE ? path.resolve(e.OAUTH_CLIENTS_FILE) : undefined,
    oauthAllowPrivateInstances: e.OAUTH_ALLOW_PRIVATE_INSTANCES === '1',
    publicUrl: e.PUBLIC_URL,
    pluginsDir: e.PLUGINS_DIR ? path.resolve(e.PLUGINS_DIR) : undefined,
  };
}

function tlsSettings(certFile: string | undefined, keyFile: string | undefined): ServerConfig['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('TLS needs both TLS_CERT_FILE and TLS_KEY_FILE');
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}
