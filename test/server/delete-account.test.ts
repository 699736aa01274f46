import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { sql } from 'kysely';
import { routes } from '#common/contract/routes.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import type { ClientSocket } from '../support/sockets.js';
import { signIn, testDevice, verifyNumber, type TestServer } from '../support/test-server.js';

/**
 * Deleting an account removes everything the server keeps about the user (issue 12 item 10): proven by
 * dumping every table of the database afterwards, on SQLite and PostgreSQL.
 */
const backends = await serverBackends();
const leaving = '+8613800138021';
const staying = '+8613800138022';
const password = 'correct horse battery';

/** Every row of every table, as JSON text, by table. */
async function dumpDatabase(server: TestServer): Promise<Map<string, string[]>> {
  const { db, kind } = server.storage;
  const tables =
    kind === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(db)).rows.map((row) => row.name)
      : (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(db)).rows.map((row) => row.name);
  const dump = new Map<string, string[]>();
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db)).rows;
    dump.set(table, rows.map((row) => JSON.stringify(row)));
  }
  return dump;
}

describe.each(backends)('deleting an account on $name', ({ name, available }) => {
  let server: TestServer;
  const sockets: ClientSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await server?.close();
  });

  it.skipIf(!available)('leaves no row that mentions the user\'s id, number or number hash, and ends every session and socket', async () => {
    server = await startServerOn(name);
    const other = await signIn(server.api, staying, testDevice('Friend'));
    const laptop = await signIn(server.api, leaving, testDevice('Laptop'));
    const phoneSession = await signIn(server.api, leaving, testDevice('Phone'));
    const me = server.api.withToken(laptop.token);
    const friend = server.api.withToken(other.token);
    const userId = laptop.user.id;

    // Everything a user leaves behind: a password, a book with its change log, privacy settings and
    // lists in both directions, a bound account, a sign-in log, a code and a ticket never used.
    expect((await me.route(routes.setPassword, { body: { password, signOutOthers: false } })).status).toBe(204);
    expect((await me.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'r-friend', phones: [staying] }, { ref: 'r-other', phones: ['+8613800138023'] }] } })).status).toBe(200);
    expect((await me.route(routes.patchAddressBook, { body: { baseVersion: 1, add: [{ ref: 'r-more', phones: ['+8613800138024'] }], remove: ['r-other'] } })).status).toBe(200);
    expect((await me.route(routes.updatePrivacy, { body: { activityVisibleTo: 'allowlist', sharedApps: ['telegram'] } })).status).toBe(200);
    expect((await me.route(routes.allow, { params: { userId: other.user.id } })).status).toBe(204);
    // A published handle, a direct conversation (its key names both people) and an uploaded picture.
    expect((await me.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'leaving_soon' } })).status).toBe(200);
    const sent = await server.services.messages.send({ userId, deviceId: 'laptop' }, { clientId: randomUUID(), to: { phone: staying }, body: { text: 'before I go' }, fallback: 'none' });
    expect(sent.ok).toBe(true);
    const picture = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const uploaded = await fetch(server.url + routes.uploadAttachment.path, { method: 'POST', headers: { 'content-type': 'image/png', authorization: `Bearer ${laptop.token}` }, body: picture });
    expect(uploaded.status).toBe(201);
    const attachmentFile = path.join(server.dataDir, 'attachments', ((await uploaded.json()) as { attachmentId: string }).attachmentId);
    expect(fs.existsSync(attachmentFile)).toBe(true);
    expect((await friend.route(routes.block, { params: { userId } })).status).toBe(204);
    expect((await friend.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'r-leaving', phones: [leaving] }] } })).status).toBe(200);
    await server.storage.db.insertInto('bound_accounts').values({ user_id: userId, plugin_id: 'mastodon', bound_at: 1, instance: 'mastodon.example' }).execute();
    await verifyNumber(server.api, leaving);
    const wrongPassword = await server.api.route(routes.passwordSession, { body: { phone: leaving, password: 'not the password', device: testDevice() } });
    expect(wrongPassword.status).toBe(401);

    const phoneHash = (await server.storage.db.selectFrom('user_phones').select('phone_hash').where('user_id', '=', userId).executeTakeFirstOrThrow()).phone_hash;
    const socket: ClientSocket = connect(server.url, { auth: { token: phoneSession.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    const ended = new Promise<string>((resolve) => socket.on('session:ended', ({ reason }) => resolve(reason)));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });

    // Unconfirmed or wrongly confirmed, nothing happens.
    const unconfirmed = await me.route(routes.deleteAccount, { body: {} });
    expect(unconfirmed.status).toBe(403);
    expect((unconfirmed.body as { error: { code: string } }).error.code).toBe('confirmation_required');
    expect((await me.route(routes.deleteAccount, { body: { password: 'wrong password here' } })).status).toBe(401);
    const friendsTicket = await verifyNumber(server.api, staying);
    expect((await me.route(routes.deleteAccount, { body: { ticket: friendsTicket } })).status).toBe(401);
    expect((await me.route(routes.me)).status).toBe(200);

    expect((await me.route(routes.deleteAccount, { body: { password } })).status).toBe(204);
    expect(await ended).toBe('account_deleted');
    expect((await me.route(routes.me)).status).toBe(401);
    expect((await server.api.withToken(phoneSession.token).route(routes.me)).status).toBe(401);

    const dump = await dumpDatabase(server);
    expect(dump.size).toBeGreaterThan(15);
    const mentions: string[] = [];
    for (const [table, rows] of dump) {
      for (const row of rows) {
        // The friend's own address book (and its daily discovery count) keeps the number they typed: it is
        // theirs, stored keyed-hashed exactly as any non-user's number is, and names no account.
        const friendsOwnBook = (table === 'address_book_phones' || table === 'discovery_charges') && row.includes(`"user_id":"${other.user.id}"`);
        if (row.includes(userId) || row.includes(leaving) || (row.includes(phoneHash) && !friendsOwnBook)) mentions.push(`${table}: ${row}`);
      }
    }
    expect(mentions).toEqual([]);
    expect(fs.existsSync(attachmentFile)).toBe(false);
    // The friend's account is untouched.
    expect((await friend.route(routes.me)).status).toBe(200);
    expect(dump.get('users')?.length).toBe(1);

    // The number is free again: signing up with it makes a new, empty account.
    const again = await signIn(server.api, leaving, testDevice('New phone'));
    expect(again.created).toBe(true);
    expect(again.user.id).not.toBe(userId);
  });
});
