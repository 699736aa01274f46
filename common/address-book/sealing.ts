// End-to-end sealing of one address-book entry's details (name, numbers, e-mails, notes, groups) under
// the user's book key, so the server can store and relay them between the user's devices without reading
// them. Layout of a sealed value (base64url): version byte | 96-bit random IV | AES-256-GCM ciphertext+tag.
import { z } from 'zod';
import { addressBookLimits } from '../contract/contacts.js';
import { aesGcmOpen, aesGcmSeal, concatBytes, fromBase64Url, SealingError, subtle, toBase64Url, utf8, type WebCryptoKey } from './web-crypto.js';

/** The version byte of every sealed entry; a future key rotation writes 2 and still reads 1. */
export const sealedEntryVersion = 1;

export const sealedDetailsSchema = z.object({
  name: z.string().max(512),
  phones: z
    .array(z.object({ e164: z.string().max(32), raw: z.string().max(128), type: z.string().max(128).optional() }))
    .max(addressBookLimits.maxPhonesPerEntry),
  emails: z.array(z.string().max(320)).max(20).default([]),
  org: z.string().max(256).optional(),
  notes: z.string().max(4000).optional(),
  /** Group names (group ids are per device). */
  groups: z.array(z.string().max(128)).max(50).default([]),
});
export type SealedDetails = z.input<typeof sealedDetailsSchema>;
export type OpenedDetails = z.output<typeof sealedDetailsSchema>;

/** A fresh random book key: AES-256-GCM, extractable only so that it can be wrapped for the user's devices. */
export async function generateBookKey(): Promise<WebCryptoKey> {
  return (await subtle().generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt'])) as WebCryptoKey;
}

export async function exportBookKey(bookKey: WebCryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('raw', bookKey));
}

export async function importBookKey(raw: Uint8Array): Promise<WebCryptoKey> {
  if (raw.length !== 32) throw new SealingError('malformed', 'a book key is 32 bytes');
  return subtle().importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
}

/** The entry's ref is bound into the tag, so a blob copied onto another entry does not open there. */
const entryAdditionalData = (ref: string) => utf8(`switchboard/address-book/entry/v${sealedEntryVersion}:${ref}`);

const blobHeaderLength = 1 + 12;

async function sealJson(bookKey: WebCryptoKey, ref: string, details: OpenedDetails): Promise<string> {
  const { iv, ciphertext } = await aesGcmSeal(bookKey, entryAdditionalData(ref), utf8(JSON.stringify(details)));
  return toBase64Url(concatBytes(Uint8Array.of(sealedEntryVersion), iv, ciphertext));
}

/**
 * Seals one entry's details for `ref`. A value over the server's per-entry limit first loses the end of
 * its notes (the one field with room to grow); only when even that does not fit is it refused.
 */
export async function sealDetails(bookKey: WebCryptoKey, ref: string, details: SealedDetails): Promise<string> {
  const parsed = sealedDetailsSchema.parse(details);
  let sealed = await sealJson(bookKey, ref, parsed);
  if (sealed.length <= addressBookLimits.maxSealedLength) return sealed;
  if (parsed.notes !== undefined) {
    const overBy = Math.ceil(((sealed.length - addressBookLimits.maxSealedLength) * 3) / 4) + 4;
    let notes = parsed.notes.slice(0, Math.max(0, parsed.notes.length - overBy));
    // Characters outside ASCII take several bytes; shorten until it fits.
    for (;;) {
      sealed = await sealJson(bookKey, ref, { ...parsed, notes });
      if (sealed.length <= addressBookLimits.maxSealedLength || notes.length === 0) break;
      notes = notes.slice(0, Math.floor(notes.length * 0.9));
    }
    if (sealed.length <= addressBookLimits.maxSealedLength) return sealed;
  }
  throw new SealingError('too_large', `the details of ${ref} do not fit in ${addressBookLimits.maxSealedLength} characters once sealed`);
}

/** Opens what `sealDetails` sealed for the same ref with the same key; anything else throws SealingError. */
export async function openDetails(bookKey: WebCryptoKey, ref: string, sealed: string): Promise<OpenedDetails> {
  const bytes = fromBase64Url(sealed);
  if (bytes === undefined || bytes.length < blobHeaderLength + 16) throw new SealingError('malformed', 'not a sealed entry');
  if (bytes[0] !== sealedEntryVersion) throw new SealingError('unknown_version', `sealed with version ${bytes[0] ?? '?'}, which this version cannot open`);
  const plaintext = await aesGcmOpen(bookKey, bytes.subarray(1, blobHeaderLength), entryAdditionalData(ref), bytes.subarray(blobHeaderLength));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new SealingError('malformed', 'the opened entry is not JSON');
  }
  const details = sealedDetailsSchema.safeParse(json);
  if (!details.success) throw new SealingError('malformed', 'the opened entry has an unknown shape');
  return details.data;
}
