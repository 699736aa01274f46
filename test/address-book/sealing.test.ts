import { describe, expect, it } from 'vitest';
import { addressBookLimits } from '#common/contract/contacts.js';
import { generateBookKey, openDetails, sealDetails, type SealedDetails } from '#common/address-book/sealing.js';
import {
  createRecoveryKey,
  exportDevicePublicKey,
  generateDeviceKeyPair,
  unwrapBookKeyFromDevice,
  unwrapBookKeyWithRecovery,
  verificationCode,
  wrapBookKeyForDevice,
  wrapBookKeyForRecovery,
} from '#common/address-book/key-wrapping.js';
import { fromBase64Url, SealingError, toBase64Url } from '#common/address-book/web-crypto.js';

const lina: SealedDetails = {
  name: '李娜 Lina',
  phones: [{ e164: '+8613800138000', raw: '138 0013 8000', type: 'mobile' }],
  emails: ['lina@example.com'],
  notes: 'met at the conference',
  groups: ['Family'],
};

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SealingError) return error.reason;
    throw error;
  }
  return 'opened';
}

function flipByte(sealed: string, index: number): string {
  const bytes = fromBase64Url(sealed) ?? new Uint8Array();
  bytes[index] = (bytes[index] ?? 0) ^ 1;
  return toBase64Url(bytes);
}

describe('sealing one entry under the book key', () => {
  it('opens what it sealed, for the same ref and key, and never writes the name in the clear', async () => {
    const key = await generateBookKey();
    const sealed = await sealDetails(key, 'r1-a', lina);
    expect(sealed).not.toContain('Lina');
    expect(new TextDecoder().decode(fromBase64Url(sealed))).not.toContain('Lina');
    expect(fromBase64Url(sealed)?.[0]).toBe(1);
    expect(await openDetails(key, 'r1-a', sealed)).toEqual({ ...lina });
    // A fresh IV each time: sealing twice never gives the same blob.
    expect(await sealDetails(key, 'r1-a', lina)).not.toBe(sealed);
  });

  it('refuses a tampered blob, a blob moved to another entry, and another key', async () => {
    const key = await generateBookKey();
    const sealed = await sealDetails(key, 'r1-a', lina);
    const length = fromBase64Url(sealed)?.length ?? 0;
    expect(await refusal(openDetails(key, 'r1-a', flipByte(sealed, 5)))).toBe('refused'); // the IV
    expect(await refusal(openDetails(key, 'r1-a', flipByte(sealed, 20)))).toBe('refused'); // the ciphertext
    expect(await refusal(openDetails(key, 'r1-a', flipByte(sealed, length - 1)))).toBe('refused'); // the tag
    expect(await refusal(openDetails(key, 'r1-b', sealed))).toBe('refused');
    expect(await refusal(openDetails(await generateBookKey(), 'r1-a', sealed))).toBe('refused');
    expect(await refusal(openDetails(key, 'r1-a', flipByte(sealed, 0)))).toBe('unknown_version');
    expect(await refusal(openDetails(key, 'r1-a', 'not base64!'))).toBe('malformed');
    expect(await refusal(openDetails(key, 'r1-a', sealed.slice(0, 20)))).toBe('malformed');
  });

  it('fits the server limit by shortening notes, and refuses what cannot fit', async () => {
    const key = await generateBookKey();
    const long = await sealDetails(key, 'r1-a', { ...lina, notes: '长'.repeat(3999) });
    expect(long.length).toBeLessThanOrEqual(addressBookLimits.maxSealedLength);
    const opened = await openDetails(key, 'r1-a', long);
    expect(opened.name).toBe(lina.name);
    expect(opened.notes?.length).toBeLessThan(3999);
    const crowded = { ...lina, emails: Array.from({ length: 20 }, (_, index) => `${'x'.repeat(300)}${index}@example.com`) };
    expect(await refusal(sealDetails(key, 'r1-a', crowded))).toBe('too_large');
  });
});

describe('handing the book key to another device', () => {
  it('shows the same code on both devices, a different one when a key is swapped, and unwraps only for the right pair', async () => {
    const [existing, added, intruder] = await Promise.all([generateDeviceKeyPair(), generateDeviceKeyPair(), generateDeviceKeyPair()]);
    const existingPublic = await exportDevicePublicKey(existing.publicKey);
    const addedPublic = await exportDevicePublicKey(added.publicKey);
    const intruderPublic = await exportDevicePublicKey(intruder.publicKey);
    const code = await verificationCode(existingPublic, addedPublic);
    expect(code).toMatch(/^\d{6}$/);
    expect(await verificationCode(addedPublic, existingPublic)).toBe(code);
    expect(await verificationCode(existingPublic, intruderPublic)).not.toBe(code);

    const bookKey = await generateBookKey();
    const sealed = await sealDetails(bookKey, 'r1-a', lina);
    const wrapped = await wrapBookKeyForDevice(bookKey, { privateKey: existing.privateKey, publicKey: existingPublic }, addedPublic);
    const received = await unwrapBookKeyFromDevice(wrapped, { privateKey: added.privateKey, publicKey: addedPublic }, existingPublic);
    expect((await openDetails(received, 'r1-a', sealed)).name).toBe(lina.name);

    // Not for the intruder, not when claimed to come from another device, not when tampered with.
    expect(await refusal(unwrapBookKeyFromDevice(wrapped, { privateKey: intruder.privateKey, publicKey: intruderPublic }, existingPublic))).toBe('refused');
    expect(await refusal(unwrapBookKeyFromDevice(wrapped, { privateKey: added.privateKey, publicKey: addedPublic }, intruderPublic))).toBe('refused');
    expect(await refusal(unwrapBookKeyFromDevice(flipByte(wrapped, 30), { privateKey: added.privateKey, publicKey: addedPublic }, existingPublic))).toBe('refused');
    expect(await refusal(verificationCode(existingPublic, 'AAAA'))).toBe('malformed');
  });

  it('restores with the recovery key, as typed by a person, for this account only', async () => {
    const bookKey = await generateBookKey();
    const sealed = await sealDetails(bookKey, 'r1-a', lina);
    const recoveryKey = createRecoveryKey();
    expect(recoveryKey).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    const wrapped = await wrapBookKeyForRecovery(bookKey, recoveryKey, 'user-1');
    const typed = ` ${recoveryKey.toLowerCase().replace(/-/g, ' ')} `;
    const restored = await unwrapBookKeyWithRecovery(wrapped, typed, 'user-1');
    expect((await openDetails(restored, 'r1-a', sealed)).name).toBe(lina.name);
    expect(await refusal(unwrapBookKeyWithRecovery(wrapped, recoveryKey, 'user-2'))).toBe('refused');
    expect(await refusal(unwrapBookKeyWithRecovery(wrapped, createRecoveryKey(), 'user-1'))).toBe('refused');
    expect(await refusal(unwrapBookKeyWithRecovery(wrapped, 'ABCD', 'user-1'))).toBe('malformed');
  });
});
