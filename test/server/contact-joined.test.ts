import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { ClientToServerEvents, ServerToClientEvents } from '#common/contract/socket-events.js';
import { postgresAvailable } from '../support/services.js';
import { createPostgresSchema, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const alicePhone = '+8613800138021';
const bobPhone = '+8613800138022';
const carolPhone = '+8613800138023';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Counts 'contacts:changed' notices a user's socket receives. */
async function listen(url: string, token: string): Promise<{ socket: Client; notices: () => number }> {
  const socket: Client = io(url, { auth: { token }, transports: ['websocket'], forceNew: true });
  let count = 0;
  socket.on('contacts:changed', () => (count += 1));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, notices: () => count };
}

/**
 * Issue 12 item 3: a contact who joins Switchboard turns from "Not on Switchboard" into a user live. The
 * server tells each owner of the new number (and only those who may find the new user) to fetch their
 * contacts again, over SQLite and PostgreSQL.
 */
describe.each([
  ['sqlite', true],
  ['postgres', pgUp],
] as const)('a contact who joins, on %s', (backend, available) => {
  let server: TestServer | undefined;
  const sockets: Client[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.close();
  });

  it.skipIf(!available)('tells the owners of the number, and nobody else', async () => {
    const schema = backend === 'postgres' ? await createPostgresSchema() : undefined;
    server = await startTestServer(schema === undefined ? {} : { storage: schema.storage });
    const alice = await signIn(server.api, alicePhone, testDevice('Alice'));
    await server.api.withToken(alice.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'r1-bob', phones: [bobPhone] }] } });
    const carol = await signIn(server.api, carolPhone, testDevice('Carol'));
    const aliceSocket = await listen(server.url, alice.token);
    const carolSocket = await listen(server.url, carol.token);
    sockets.push(aliceSocket.socket, carolSocket.socket);

    const bob = await signIn(server.api, bobPhone, testDevice('Bob'));
    await expect.poll(aliceSocket.notices, { timeout: 5_000 }).toBe(1);
    const contacts = await server.api.withToken(alice.token).typed().call(routes.contacts, {});
    expect(contacts.map((contact) => contact.userId)).toEqual([bob.user.id]);
    // Bob signing in again is no news; Carol never had his number.
    await signIn(server.api, bobPhone, testDevice('Bob again'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(aliceSocket.notices()).toBe(1);
    expect(carolSocket.notices()).toBe(0);
    await schema?.drop();
  });
});
