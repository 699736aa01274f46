// Refs: how the server names an address-book entry without learning anything about it.

/** The Web Crypto API, present in browsers, workers and Node 20 alike (common/ is typed without DOM). */
interface WebCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
  subtle: {
    importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: boolean, usages: 'sign'[]): Promise<unknown>;
    sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  };
}
const webCrypto = (): WebCrypto => (globalThis as unknown as { crypto: WebCrypto }).crypto;

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * A fresh ref: 128 random bits. Refs are stored next to the keyed number hashes on the server, so they
 * must reveal nothing about the numbers: a ref computed from the number alone (as the unkeyed FNV hash of
 * the first number once was) gives every number back to anyone who hashes the candidates.
 */
export function randomRef(): string {
  return `r1-${hex(webCrypto().getRandomValues(new Uint8Array(16)))}`;
}

/**
 * Keeps refs stable across re-imports on a device that remembers its book: an entry sharing a number
 * with a person already known gets that person's ref (so a PATCH or a whole-book upload changes only what
 * changed); every other entry keeps the random ref it was given. Refs stay unique within the import.
 */
export function assignRefs(entries: { ref: string; phones: { e164: string }[] }[], knownRefByNumber: ReadonlyMap<string, string>): void {
  const used = new Set<string>();
  for (const entry of entries) {
    const known = entry.phones.map((phone) => knownRefByNumber.get(phone.e164)).find((ref) => ref !== undefined && !used.has(ref));
    let ref = known ?? entry.ref;
    if (used.has(ref)) ref = randomRef();
    used.add(ref);
    entry.ref = ref;
  }
}

/**
 * Refs for a device that keeps no book of its own (the CLI): HMAC-SHA256 of the first number under a key
 * that never leaves the device (the OS keychain), so re-imports from that device are stable while the
 * server, without the key, cannot test candidate numbers against them.
 */
export async function assignKeyedRefs(entries: { ref: string; phones: { e164: string }[] }[], keyHex: string): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(keyHex)) throw new RangeError('the ref key must be 32 bytes in hex');
  const keyBytes = new Uint8Array(keyHex.match(/../g)?.map((pair) => parseInt(pair, 16)) ?? []);
  const key = await webCrypto().subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const used = new Set<string>();
  const encoder = new TextEncoder();
  for (const entry of entries) {
    const first = entry.phones[0]?.e164 ?? '';
    const mac = new Uint8Array(await webCrypto().subtle.sign('HMAC', key, encoder.encode(`switchboard-ref:${first}`)));
    let ref = `k1-${hex(mac.slice(0, 16))}`;
    for (let suffix = 2; used.has(ref); suffix += 1) ref = `k1-${hex(mac.slice(0, 16))}-${suffix}`;
    used.add(ref);
    entry.ref = ref;
  }
}

/** A new key for assignKeyedRefs. */
export function newRefKey(): string {
  return hex(webCrypto().getRandomValues(new Uint8Array(32)));
}
