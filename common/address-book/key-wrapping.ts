// How the book key reaches the user's other devices without the server ever holding it in the clear:
// wrapped for one device with a key both devices derive by ECDH P-256 (checked by a 6-digit code the
// person compares on both screens), or wrapped with a recovery key the person wrote down.
import { exportBookKey, importBookKey } from './sealing.js';
import {
  aesGcmOpen,
  aesGcmSeal,
  concatBytes,
  fromBase64Url,
  randomBytes,
  SealingError,
  subtle,
  toBase64Url,
  utf8,
  type WebCryptoKey,
  type WebCryptoKeyPair,
} from './web-crypto.js';

export const wrappedKeyVersion = 1;
const ecdh = { name: 'ECDH', namedCurve: 'P-256' } as const;

/**
 * A device's own key pair. The private key is not extractable: it can derive keys on this device (and
 * be kept in IndexedDB or the desktop core as it is) but its bytes can never be read out.
 */
export async function generateDeviceKeyPair(): Promise<WebCryptoKeyPair> {
  return (await subtle().generateKey(ecdh, false, ['deriveBits'])) as WebCryptoKeyPair;
}

/** The public key as it is published: the uncompressed P-256 point (65 bytes), base64url. */
export async function exportDevicePublicKey(publicKey: WebCryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().exportKey('raw', publicKey)));
}

function publicKeyBytes(publicKey: string): Uint8Array {
  const bytes = fromBase64Url(publicKey);
  if (bytes === undefined || bytes.length !== 65 || bytes[0] !== 4) throw new SealingError('malformed', 'not a P-256 public key');
  return bytes;
}

async function importDevicePublicKey(publicKey: string): Promise<WebCryptoKey> {
  try {
    return await subtle().importKey('raw', publicKeyBytes(publicKey), ecdh, true, []);
  } catch (error) {
    if (error instanceof SealingError) throw error;
    throw new SealingError('malformed', 'not a point on P-256');
  }
}

/** Both keys in one fixed order, so either side computes the same value. */
function orderedPair(first: string, second: string): Uint8Array {
  const [low, high] = [publicKeyBytes(first), publicKeyBytes(second)].sort((a, b) => compareBytes(a, b));
  return concatBytes(low ?? new Uint8Array(), high ?? new Uint8Array());
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * The 6 digits both devices show before an approval. Derived from both public keys: if the server swapped
 * either key for its own, the two screens show different codes.
 */
export async function verificationCode(publicKeyA: string, publicKeyB: string): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', concatBytes(utf8('switchboard/verify/v1'), orderedPair(publicKeyA, publicKeyB))));
  const number = (((digest[0] ?? 0) << 24) | ((digest[1] ?? 0) << 16) | ((digest[2] ?? 0) << 8) | (digest[3] ?? 0)) >>> 0;
  return String(number % 1_000_000).padStart(6, '0');
}

/** The AES-GCM key two devices share: ECDH, then HKDF-SHA256 salted with both public keys. */
async function pairKey(myPrivateKey: WebCryptoKey, myPublicKey: string, theirPublicKey: string): Promise<WebCryptoKey> {
  const shared = new Uint8Array(await subtle().deriveBits({ name: 'ECDH', public: await importDevicePublicKey(theirPublicKey) }, myPrivateKey, 256));
  const material = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: orderedPair(myPublicKey, theirPublicKey), info: utf8('switchboard/book-key/device/v1') },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Bound to the recipient's key: a wrap made for one device does not open as another's. */
const deviceAdditionalData = (recipientPublicKey: string) => concatBytes(utf8('switchboard/book-key/device/v1:'), publicKeyBytes(recipientPublicKey));

function packed(iv: Uint8Array, ciphertext: Uint8Array, ...prefix: Uint8Array[]): string {
  return toBase64Url(concatBytes(Uint8Array.of(wrappedKeyVersion), ...prefix, iv, ciphertext));
}

function unpacked(wrapped: string, prefixLength: number): { prefix: Uint8Array; iv: Uint8Array; ciphertext: Uint8Array } {
  const bytes = fromBase64Url(wrapped);
  if (bytes === undefined || bytes.length < 1 + prefixLength + 12 + 16) throw new SealingError('malformed', 'not a wrapped key');
  if (bytes[0] !== wrappedKeyVersion) throw new SealingError('unknown_version', `wrapped with version ${bytes[0] ?? '?'}`);
  return { prefix: bytes.subarray(1, 1 + prefixLength), iv: bytes.subarray(1 + prefixLength, 13 + prefixLength), ciphertext: bytes.subarray(13 + prefixLength) };
}

/** The approving device wraps the book key for the new one. */
export async function wrapBookKeyForDevice(bookKey: WebCryptoKey, mine: { privateKey: WebCryptoKey; publicKey: string }, recipientPublicKey: string): Promise<string> {
  const key = await pairKey(mine.privateKey, mine.publicKey, recipientPublicKey);
  const { iv, ciphertext } = await aesGcmSeal(key, deviceAdditionalData(recipientPublicKey), await exportBookKey(bookKey));
  return packed(iv, ciphertext);
}

/** The new device opens it with its own private key and the public key of the device it compared codes with. */
export async function unwrapBookKeyFromDevice(wrapped: string, mine: { privateKey: WebCryptoKey; publicKey: string }, senderPublicKey: string): Promise<WebCryptoKey> {
  const { iv, ciphertext } = unpacked(wrapped, 0);
  const key = await pairKey(mine.privateKey, mine.publicKey, senderPublicKey);
  return importBookKey(await aesGcmOpen(key, iv, deviceAdditionalData(mine.publicKey), ciphertext));
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const recoveryKeyBytes = 20;

/**
 * A recovery key: 160 random bits written as 32 base32 characters in groups of four. It is shown once;
 * the server keeps only the book key wrapped with it.
 */
export function createRecoveryKey(): string {
  const bytes = randomBytes(recoveryKeyBytes);
  let bits = 0;
  let buffer = 0;
  let text = '';
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += base32Alphabet[(buffer >> bits) & 31];
    }
  }
  return text.match(/.{4}/g)?.join('-') ?? text;
}

/** What a person typed back: case, spaces and dashes do not matter; 0/1/8 typed for O/I/B are read as meant. */
function recoveryKeyToBytes(recoveryKey: string): Uint8Array {
  const cleaned = recoveryKey.toUpperCase().replace(/[\s-]/g, '').replace(/0/g, 'O').replace(/1/g, 'I').replace(/8/g, 'B');
  if (cleaned.length !== 32) throw new SealingError('malformed', 'a recovery key has 32 letters and digits');
  const bytes = new Uint8Array(recoveryKeyBytes);
  let bits = 0;
  let buffer = 0;
  let written = 0;
  for (const char of cleaned) {
    const value = base32Alphabet.indexOf(char);
    if (value < 0) throw new SealingError('malformed', 'a recovery key has only letters and the digits 2 to 7');
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[written++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

export function isWellFormedRecoveryKey(recoveryKey: string): boolean {
  try {
    recoveryKeyToBytes(recoveryKey);
    return true;
  } catch {
    return false;
  }
}

/**
 * HKDF rather than a slow password hash: the recovery key is 160 random bits, not something a person
 * chose, so it cannot be guessed faster by being cheap to derive.
 */
async function recoveryWrappingKey(recoveryKey: string, salt: Uint8Array): Promise<WebCryptoKey> {
  const material = await subtle().importKey('raw', recoveryKeyToBytes(recoveryKey), 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8('switchboard/book-key/recovery/v1') }, material, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
}

/** Bound to the account, so a recovery blob copied to another account's row does not open there. */
const recoveryAdditionalData = (userId: string) => utf8(`switchboard/book-key/recovery/v1:${userId}`);

export async function wrapBookKeyForRecovery(bookKey: WebCryptoKey, recoveryKey: string, userId: string): Promise<string> {
  const salt = randomBytes(16);
  const { iv, ciphertext } = await aesGcmSeal(await recoveryWrappingKey(recoveryKey, salt), recoveryAdditionalData(userId), await exportBookKey(bookKey));
  return packed(iv, ciphertext, salt);
}

export async function unwrapBookKeyWithRecovery(wrapped: string, recoveryKey: string, userId: string): Promise<WebCryptoKey> {
  const { prefix: salt, iv, ciphertext } = unpacked(wrapped, 16);
  return importBookKey(await aesGcmOpen(await recoveryWrappingKey(recoveryKey, salt), iv, recoveryAdditionalData(userId), ciphertext));
}
