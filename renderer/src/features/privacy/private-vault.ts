import { localDb, type PrivateVaultRecord } from '../../db/local-db.js';

/**
 * M17: private contacts are hidden behind a password that never leaves this device. We keep a salt
 * and a verifier (an HMAC under the PBKDF2-derived key), never the password or the key, so reading
 * IndexedDB does not reveal the password. It hides the contacts from view; it does not encrypt their
 * names at rest.
 */
const iterations = 310_000;
const verifierLabel = new TextEncoder().encode('switchboard private contacts v1');

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

async function verifierFor(password: string, salt: Uint8Array<ArrayBuffer>, rounds: number): Promise<string> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: rounds }, material, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  return toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, verifierLabel)));
}

/** Comparing every byte whatever the mismatch, out of habit: timing is no threat in one's own browser. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

export async function hasVault(): Promise<boolean> {
  return (await localDb.getMeta('privateVault')) !== undefined;
}

export async function createVault(password: string): Promise<void> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const record: PrivateVaultRecord = { salt: toBase64(salt), iterations, verifier: await verifierFor(password, salt, iterations) };
  await localDb.setMeta('privateVault', record);
}

export async function unlockVault(password: string): Promise<boolean> {
  const record = await localDb.getMeta('privateVault');
  if (record === undefined) return false;
  return sameText(await verifierFor(password, fromBase64(record.salt), record.iterations), record.verifier);
}
