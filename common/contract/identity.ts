import { z } from 'zod';
import { normaliseCodeInput, normalisePhoneInput } from '../text/typed-digits.js';

/** Wire schemas of the identity part of the public contract. */

const regionSchema = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 region such as "CN"')
  .transform((region) => region.toUpperCase());

/** Folds a string field before it is checked; anything else reaches the schema unchanged (and fails there). */
function folded<Schema extends z.ZodType>(normalise: (text: string) => string, schema: Schema) {
  return z.preprocess((value) => (typeof value === 'string' ? normalise(value) : value), schema);
}

/**
 * A phone number as a client sends it: E.164, or national with a region. Full-width digits and the
 * spaces or dashes people type between digit groups are accepted (folded before the check).
 */
export const phoneInputSchema = z.object({
  phone: folded(normalisePhoneInput, z.string().min(1).max(32)),
  region: regionSchema.optional(),
});

export const deviceSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  platform: z.string().min(1).max(32),
});
export type DeviceInput = z.infer<typeof deviceSchema>;

export const startVerificationRequest = phoneInputSchema;
export type StartVerificationRequest = z.infer<typeof startVerificationRequest>;
export const startVerificationResponse = z.object({
  verificationId: z.string(),
  expiresIn: z.number().int(),
  resendIn: z.number().int(),
});
export type StartVerificationResponse = z.infer<typeof startVerificationResponse>;

/** Six digits; full-width digits and spaces or dashes between them ("１２３ ４５６") are accepted. */
export const checkCodeRequest = z.object({ code: folded(normaliseCodeInput, z.string().regex(/^\d{6}$/, 'six digits')) });
export const checkCodeResponse = z.object({ ticket: z.string() });

/**
 * How the new session is carried: `bearer` (the default) answers the token for an Authorization header;
 * `cookie` (the web client) puts it in an HttpOnly cookie the page's script never reads, and answers no
 * token. `keepSignedIn` keeps a cookie session for 30 days of inactivity; without it the cookie ends with
 * the browser.
 */
export const sessionTransport = {
  session: z.enum(['bearer', 'cookie']).default('bearer'),
  keepSignedIn: z.boolean().default(false),
};

export const createSessionRequest = z.object({ ticket: z.string().min(1).max(256), device: deviceSchema, ...sessionTransport });
export const passwordSessionRequest = phoneInputSchema.extend({
  password: z.string().min(1).max(1024),
  device: deviceSchema,
  ...sessionTransport,
});

export const userTypes = ['normal', 'paid', 'vip'] as const;
export type UserType = (typeof userTypes)[number];

export const sessionUserSchema = z.object({ id: z.string().uuid(), phone: z.string() });
export const sessionResponse = z.object({
  /** Absent for a cookie session: the cookie carries it. */
  token: z.string().optional(),
  user: sessionUserSchema,
  created: z.boolean(),
});
export type SessionResponse = z.infer<typeof sessionResponse>;

export const passwordPolicy = { minLength: 8, maxLength: 256 } as const;
export const setPasswordRequest = z.object({
  password: z.string().min(passwordPolicy.minLength).max(passwordPolicy.maxLength),
  /** Sign every other session of the account out (the default); false keeps them. */
  signOutOthers: z.boolean().default(true),
});

/**
 * Deleting the account is confirmed by the password (when the account has one) or by a fresh ticket for
 * one of the account's numbers (an SMS code checked just before).
 */
export const deleteAccountRequest = z.object({
  password: z.string().min(1).max(1024).optional(),
  ticket: z.string().min(1).max(256).optional(),
});
export type DeleteAccountRequest = z.infer<typeof deleteAccountRequest>;

/** A short-lived credential for the desktop renderer, so the session's own token stays in the core and the keychain. */
export const delegationResponse = z.object({ token: z.string(), expiresIn: z.number().int() });

export const meResponse = z.object({
  id: z.string().uuid(),
  phone: z.string(),
  phones: z.array(z.object({ phone: z.string(), primary: z.boolean(), verifiedAt: z.string() })),
  type: z.enum(userTypes),
  hasPassword: z.boolean(),
  createdAt: z.string(),
});
export type MeResponse = z.infer<typeof meResponse>;

/** Proving a number with a fresh ticket: add it, or make it the primary and free the old one. */
export const addPhoneRequest = z.object({ ticket: z.string().min(1).max(256) });
export const changePhoneRequest = z.object({ ticket: z.string().min(1).max(256) });

export const deviceView = z.object({
  id: z.string(),
  name: z.string(),
  platform: z.string(),
  blocked: z.boolean(),
  /** First signed in shortly after another device was blocked; cleared when the owner recognises it. */
  flagged: z.boolean(),
  current: z.boolean(),
  /** Whether the device holds a live session now. */
  signedIn: z.boolean(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type DeviceView = z.infer<typeof deviceView>;
/** Block or unblock a device, or recognise a flagged one (`trusted: true` clears the flag). */
export const updateDeviceRequest = z
  .object({ blocked: z.boolean().optional(), trusted: z.literal(true).optional() })
  .refine((body) => body.blocked !== undefined || body.trusted !== undefined, 'give "blocked" or "trusted"');

export const loginMethods = ['sms_code', 'password'] as const;
export const loginLogEntry = z.object({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  platform: z.string(),
  ip: z.string(),
  method: z.enum(loginMethods),
  loginAt: z.string(),
  logoutAt: z.string().nullable(),
});
export type LoginLogEntry = z.infer<typeof loginLogEntry>;

export const setUserTypeRequest = z.object({ type: z.enum(userTypes) });
