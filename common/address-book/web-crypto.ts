// The part of the Web Crypto API the end-to-end sealing uses. Browsers, Electron's renderer and Node 20
// all provide `globalThis.crypto.subtle`; common/ is typed without DOM or Node, so the subset is declared
// here. Keys stay opaque: pure code never reads their bytes except to wrap them.

/** A CryptoKey of whichever runtime: a browser's can be kept in IndexedDB as it is. */
export interface WebCryptoKey {
  readonly type: string;
  readonly extractable: boolean;
}
export interface WebCryptoKeyPair {
  readonly publicKey: WebCryptoKey;
  readonly privateKey: WebCryptoKey;
}

type Bytes = Uint8Array;
type AlgorithmParameters = { name: string } & Record<string, unknown>;

export interface SubtleCryptoSubset {
  generateKey(algorithm: AlgorithmParameters, extractable: boolean, usages: string[]): Promise<WebCryptoKey | WebCryptoKeyPair>;
  importKey(format: 'raw', keyData: Bytes, algorithm: AlgorithmParameters | string, extractable: boolean, usages: string[]): Promise<WebCryptoKey>;
  exportKey(format: 'raw', key: WebCryptoKey): Promise<ArrayBuffer>;
  encrypt(algorithm: AlgorithmParameters, key: WebCryptoKey, data: Bytes): Promise<ArrayBuffer>;
  decrypt(algorithm: AlgorithmParameters, key: WebCryptoKey, data: Bytes): Promise<ArrayBuffer>;
  deriveBits(algorithm: AlgorithmParameters, baseKey: WebCryptoKey, length: number): Promise<ArrayBuffer>;
  deriveKey(algorithm: AlgorithmParameters, baseKey: WebCryptoKey, derivedKeyType: AlgorithmParameters, extractable: boolean, usages: string[]): Promise<WebCryptoKey>;
  digest(algorithm: 'SHA-256', data: Bytes): Promise<ArrayBuffer>;
}

interface WebCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
  subtle: SubtleCryptoSubset;
}

export const webCrypto = (): WebCrypto => (globalThis as unknown as { crypto: WebCrypto }).crypto;
export const subtle = (): SubtleCryptoSubset => webCrypto().subtle;

export function randomBytes(length: number): Uint8Array {
  return webCrypto().getRandomValues(new Uint8Array(length));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64Index = new Map([...base64Alphabet].map((char, index) => [char, index]));

/** base64url without padding: the form every sealed or wrapped value travels in. */
export function toBase64Url(bytes: Uint8Array): string {
  let text = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = ((bytes[index] ?? 0) << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    const chars = index + 2 < bytes.length ? 4 : index + 1 < bytes.length ? 3 : 2;
    for (let char = 0; char < chars; char += 1) text += base64Alphabet[(chunk >> (18 - 6 * char)) & 63];
  }
  return text;
}

/** Undefined for anything that is not base64url (a value tampered with on the way is refused, not guessed at). */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (const char of text) {
    const value = base64Index.get(char);
    if (value === undefined) return undefined;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[written++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

/** Which sealing step failed, for the caller's decision (ask again, drop the blob, show numbers only). */
export type SealingFailure = 'malformed' | 'unknown_version' | 'refused' | 'too_large';

/** A blob that cannot be opened: tampered with, moved to another entry, sealed with another key, or unknown. */
export class SealingError extends Error {
  constructor(
    readonly reason: SealingFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SealingError';
  }
}

/** AES-GCM's answer to a wrong key, a wrong tag or wrong additional data is one exception: refused. */
export async function aesGcmOpen(key: WebCryptoKey, iv: Uint8Array, additionalData: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv, additionalData, tagLength: 128 }, key, ciphertext));
  } catch {
    throw new SealingError('refused', 'the sealed value does not open with this key for this place');
  }
}

export async function aesGcmSeal(key: WebCryptoKey, additionalData: Uint8Array, plaintext: Uint8Array): Promise<{ iv: Uint8Array; ciphertext: Uint8Array }> {
  const iv = randomBytes(12);
  const ciphertext = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData, tagLength: 128 }, key, plaintext));
  return { iv, ciphertext };
}
