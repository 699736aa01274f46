import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../../platform/crypto.js';

/**
 * AES-256-GCM for the few secrets that must cross the database briefly (handoff tokens, PKCE verifiers,
 * the server's own client secrets on federated instances). The key is an HMAC of the server secret, so
 * it never sits in the database; the associated data binds each ciphertext to its row, so a sealed value
 * copied into another row does not open.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(keyring: Keyring) {
    this.key = Buffer.from(keyring.keyedHash('aes-256-gcm key', 'account-binding v1'), 'base64url');
    if (this.key.length !== 32) throw new Error('sealing key must be 256 bits');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** `undefined` when the value was tampered with, sealed for another context or under another secret. */
  open(sealed: string, context: string): string | undefined {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
