import { z } from 'zod';
import { pluginIdSchema } from '../plugin-manifest/plugin-id.js';

/**
 * Address-book upload and discovery. The server receives phone numbers only,
 * never names: details travel between the user's own devices only as `sealed`, an opaque end-to-end
 * encrypted blob the server stores and relays but cannot read.
 */
export const e164Schema = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +8613800138000');

export const addressBookLimits = { maxEntries: 20_000, maxPhonesPerEntry: 20, maxSealedLength: 8_192 } as const;

export const addressBookEntry = z.object({
  ref: z.string().min(1).max(128),
  phones: z.array(e164Schema).min(1).max(addressBookLimits.maxPhonesPerEntry),
  sealed: z.string().max(addressBookLimits.maxSealedLength).optional(),
});
export type AddressBookEntry = z.infer<typeof addressBookEntry>;

export const replaceAddressBookRequest = z.object({
  entries: z.array(addressBookEntry).max(addressBookLimits.maxEntries),
});

export const patchAddressBookRequest = z.object({
  baseVersion: z.number().int().min(0),
  add: z.array(addressBookEntry).max(addressBookLimits.maxEntries).default([]),
  remove: z.array(z.string().min(1).max(128)).max(addressBookLimits.maxEntries).default([]),
});

export const addressBookMatch = z.object({ ref: z.string(), userId: z.string(), phone: z.string() });
export type AddressBookMatch = z.infer<typeof addressBookMatch>;

export const addressBookResponse = z.object({ version: z.number().int(), matches: z.array(addressBookMatch) });
export type AddressBookResponse = z.infer<typeof addressBookResponse>;

/** What another device of the same user pulls after `address-book:changed`. */
export const addressBookChange = z.object({
  version: z.number().int(),
  op: z.enum(['add', 'remove']),
  ref: z.string(),
  sealed: z.string().optional(),
});
export type AddressBookChange = z.infer<typeof addressBookChange>;
export const addressBookChangesResponse = z.object({
  version: z.number().int(),
  /** False when the log no longer reaches back to `since`: fetch the whole book instead. */
  complete: z.boolean(),
  changes: z.array(addressBookChange),
});
export type AddressBookChangesResponse = z.infer<typeof addressBookChangesResponse>;
export const addressBookSnapshot = z.object({
  version: z.number().int(),
  entries: z.array(z.object({ ref: z.string(), sealed: z.string().optional() })),
  matches: z.array(addressBookMatch),
});
export type AddressBookSnapshot = z.infer<typeof addressBookSnapshot>;

export const contactView = z.object({
  userId: z.string(),
  phone: z.string(),
  mutual: z.boolean(),
  /** Whether I put this person on my blocklist. */
  blocked: z.boolean(),
  refs: z.array(z.string()),
  /**
   * What the contact shares with me about their accounts on other networks: plugin id to that plugin's
   * declared fields (e.g. `{ "telegram": { "username": "lina" } }`), under the same rules as their activity.
   */
  identities: z.record(pluginIdSchema, z.record(z.string().max(32), z.string().max(320))).default({}),
});
export type ContactView = z.infer<typeof contactView>;
