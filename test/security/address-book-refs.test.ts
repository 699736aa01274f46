import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { assignKeyedRefs, newRefKey, parseAddressBook } from '#common/address-book/index.js';
import { up as renewLegacyRefs } from '#server/db/migrations/0012-opaque-refs.js';
import { routes } from '#common/contract/routes.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';
import { parseFixture, utf8 } from '../address-book/fixtures.js';

/** The attacker's tool: 64-bit FNV-1a, the hash refs were made with before. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** Every unkeyed way of deriving an id from a number an attacker would try, as hex. */
function unkeyedDigests(e164: string): string[] {
  const forms = [e164, e164.slice(1), `switchboard-ref:${e164}`];
  return forms.flatMap((form) => [fnv1a64(form), ...['md5', 'sha1', 'sha256'].map((algorithm) => createHash(algorithm).update(form).digest('hex'))]);
}

/**
 * Issue 10 item 2. The attacker holds what the server stores (a database copy) and hashes candidate
 * numbers to find refs. The candidates here are the very numbers of the book, the attacker's best case.
 * On the old code every ref was `p1-` + FNV-1a(first number): all of them were recovered.
 */
describe('address-book refs reveal nothing about the numbers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { sendsPerIpPerHour: 1000 } });
  });
  afterAll(async () => server.close());

  async function storedRefs(userId: string): Promise<string[]> {
    const rows = await server.storage.db.selectFrom('address_book_refs').select('ref').where('user_id', '=', userId).execute();
    const changes = await server.storage.db.selectFrom('address_book_changes').select('ref').where('user_id', '=', userId).execute();
    return [...rows, ...changes].map((row) => row.ref);
  }

  it('cannot be reversed by hashing candidate numbers (refs from the web client and desktop parser)', async () => {
    const parsed = parseFixture('vcard30-apple.vcf');
    const numbers = parsed.entries.flatMap((entry) => entry.phones.map((phone) => phone.e164));
    const me = await signIn(server.api, '+8613800138000');
    const upload = await server.api.withToken(me.token).route(routes.replaceAddressBook, { body: { entries: parsed.entries.map((entry) => ({ ref: entry.ref, phones: entry.phones.map((phone) => phone.e164) })) } });
    expect(upload.status).toBe(200);
    const refs = await storedRefs(me.user.id);
    expect(refs.length).toBe(parsed.entries.length);
    const candidates = new Set(numbers.flatMap(unkeyedDigests));
    // The tool works: it recovers every ref the old code made (p1- + FNV-1a of the first number).
    const oldStyle = parsed.entries.map((entry) => `p1-${fnv1a64(entry.phones[0]?.e164 ?? '')}`);
    expect(oldStyle.every((ref) => [...candidates].some((digest) => ref.includes(digest.slice(0, 16))))).toBe(true);
    const recovered = refs.filter((ref) => [...candidates].some((digest) => ref.includes(digest.slice(0, 16))));
    expect(recovered).toEqual([]);
    for (const ref of refs) for (const number of numbers) expect(ref).not.toContain(number.slice(1));
  });

  it('differ between two people who import the same file, so no function of the number produces them', async () => {
    const first = parseFixture('list.txt');
    const second = parseFixture('list.txt');
    const firstRefs = new Set(first.entries.map((entry) => entry.ref));
    expect(second.entries.filter((entry) => firstRefs.has(entry.ref))).toEqual([]);
  });

  it('keyed refs (the CLI, key in the keychain) are stable for one key and useless without it', async () => {
    const book = () => parseAddressBook(utf8('Anna +44 7911 123456\nBen +44 7911 654321\n'), {}).entries;
    const key = newRefKey();
    const once = book();
    const twice = book();
    await assignKeyedRefs(once, key);
    await assignKeyedRefs(twice, key);
    expect(twice.map((entry) => entry.ref)).toEqual(once.map((entry) => entry.ref));
    const otherDevice = book();
    await assignKeyedRefs(otherDevice, newRefKey());
    expect(otherDevice.map((entry) => entry.ref)).not.toEqual(once.map((entry) => entry.ref));
    // Without the key, even an HMAC under a guessed key (the server's secret, say) does not match.
    const guessed = createHmac('sha256', 'test-secret-that-is-at-least-32-characters-long').update('switchboard-ref:+447911123456').digest('hex');
    expect(once.map((entry) => entry.ref).some((ref) => ref.includes(guessed.slice(0, 32)))).toBe(false);
    for (const entry of once) for (const phone of entry.phones) expect(unkeyedDigests(phone.e164).some((digest) => entry.ref.includes(digest.slice(0, 16)))).toBe(false);
  });

  it('renews legacy refs already stored, consistently in every table', async () => {
    const me = await signIn(server.api, '+8613800138001');
    const api = server.api.withToken(me.token);
    const legacyRef = `p1-${fnv1a64('+8613900139000')}`;
    await api.route(routes.replaceAddressBook, { body: { entries: [{ ref: legacyRef, phones: ['+8613900139000'] }] } });
    await api.route(routes.patchAddressBook, { body: { baseVersion: 1, add: [{ ref: 'p1-0000000000000001', phones: ['+8613900139001'] }] } });
    await renewLegacyRefs(server.storage.db as unknown as Parameters<typeof renewLegacyRefs>[0]);
    const refs = await storedRefs(me.user.id);
    expect(refs.filter((ref) => ref.startsWith('p1-'))).toEqual([]);
    const phones = await server.storage.db.selectFrom('address_book_phones').select('ref').where('user_id', '=', me.user.id).execute();
    expect(new Set(phones.map((row) => row.ref))).toEqual(new Set((await server.storage.db.selectFrom('address_book_refs').select('ref').where('user_id', '=', me.user.id).execute()).map((row) => row.ref)));
    const orphans = await sql<{ n: number }>`SELECT count(*) AS n FROM address_book_phones p LEFT JOIN address_book_refs r ON r.user_id = p.user_id AND r.ref = p.ref WHERE r.ref IS NULL`.execute(server.storage.db);
    expect(Number(orphans.rows[0]?.n)).toBe(0);
  });
});
