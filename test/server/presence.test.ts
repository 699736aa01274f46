import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { PresenceClient, appsOf, sleep } from '../support/sockets.js';
import { routes } from '#common/contract/routes.js';

const alicePhone = '+8613800138000';
const bobPhone = '+8613900139000';

/** Presence over real socket.io on loopback: merging devices, grace, statuses, scope and typing. */
describe('presence', () => {
  let server: TestServer;
  const clients: PresenceClient[] = [];
  let alice: Awaited<ReturnType<typeof signIn>>;
  let bob: Awaited<ReturnType<typeof signIn>>;

  beforeEach(async () => {
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '400' } });
    alice = await signIn(server.api, alicePhone, testDevice('Alice laptop'));
    bob = await signIn(server.api, bobPhone, testDevice('Bob laptop'));
    // Mutual contacts: each has the other's number.
    await server.api.withToken(alice.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'bob', phones: [bobPhone] }] } });
    await server.api.withToken(bob.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'alice', phones: [alicePhone] }] } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  async function client(token: string): Promise<PresenceClient> {
    const created = new PresenceClient(server.url, token);
    clients.push(created);
    await created.connected();
    return created;
  }

  it('sends a change of apps to a mutual contact, and only changes', async () => {
    const bobSocket = await client(bob.token);
    const aliceSocket = await client(alice.token);
    await bobSocket.waitFor((e) => e.userId === alice.user.id && e.status === 'online');
    expect(await aliceSocket.set({ apps: ['slack'] })).toEqual({ ok: true });
    const lit = await bobSocket.waitFor((e) => e.userId === alice.user.id && appsOf(e).includes('slack'));
    expect(lit).toEqual({ userId: alice.user.id, status: 'online', text: '', apps: [{ plugin: 'slack', since: expect.any(String) }], at: expect.any(String) });
    const count = bobSocket.received.length;
    await aliceSocket.set({ apps: ['slack'] });
    await sleep(200);
    expect(bobSocket.received.length).toBe(count);
    await aliceSocket.set({ apps: [] });
    await bobSocket.next((e) => e.userId === alice.user.id && e.apps.length === 0);
  });

  it('sends a snapshot of visible contacts right after connect', async () => {
    const aliceSocket = await client(alice.token);
    await aliceSocket.set({ apps: ['telegram'], status: 'busy', text: 'in a meeting' });
    const bobSocket = await client(bob.token);
    const snapshot = await bobSocket.waitFor((e) => e.userId === alice.user.id);
    expect(snapshot).toMatchObject({ status: 'busy', text: 'in a meeting', apps: [{ plugin: 'telegram' }] });
  });

  it('merges devices and keeps a closed device for a grace period only', async () => {
    const bobSocket = await client(bob.token);
    const laptop = await client(alice.token);
    const desktopSession = await signIn(server.api, alicePhone, testDevice('Alice desktop'));
    const desktop = await client(desktopSession.token);
    await laptop.set({ apps: ['slack'] });
    await desktop.set({ apps: ['telegram', 'slack'] });
    const both = await bobSocket.waitFor((e) => e.userId === alice.user.id && appsOf(e).join() === 'slack,telegram');
    const slackSince = both.apps.find((app) => app.plugin === 'slack')?.since;
    laptop.close();
    await sleep(150);
    expect(appsOf(bobSocket.received.at(-1) ?? both)).toEqual(['slack', 'telegram']);
    desktop.close();
    const offline = await bobSocket.next((e) => e.userId === alice.user.id && e.status === 'offline', 3000);
    expect(offline.apps).toEqual([]);
    expect(slackSince).toBeDefined();
  });

  it('does not blink when a device reconnects within the grace period', async () => {
    const bobSocket = await client(bob.token);
    const first = await client(alice.token);
    await first.set({ apps: ['discord'] });
    await bobSocket.waitFor((e) => e.userId === alice.user.id && appsOf(e).includes('discord'));
    const before = bobSocket.received.length;
    first.close();
    const again = await client(alice.token);
    await again.set({ apps: ['discord'] });
    await sleep(900);
    expect(bobSocket.received.slice(before).filter((e) => e.userId === alice.user.id && e.status === 'offline')).toEqual([]);
  });

  it('shows an invisible user as offline while they still see others', async () => {
    const bobSocket = await client(bob.token);
    const aliceSocket = await client(alice.token);
    await bobSocket.waitFor((e) => e.userId === alice.user.id && e.status === 'online');
    await aliceSocket.set({ status: 'invisible', apps: ['slack'] });
    const hidden = await bobSocket.next((e) => e.userId === alice.user.id);
    expect(hidden).toMatchObject({ status: 'offline', apps: [] });
    await (await client(bob.token)).set({ apps: ['zoom'] });
    await aliceSocket.waitFor((e) => e.userId === bob.user.id && appsOf(e).includes('zoom'));
  });

  it('rejects bad payloads with a code and keeps the socket', async () => {
    const aliceSocket = await client(alice.token);
    expect(await aliceSocket.set({ status: 'sleeping' } as never)).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await aliceSocket.set({ apps: 'slack' } as never)).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await aliceSocket.set({ apps: ['slack'] })).toEqual({ ok: true });
    expect(aliceSocket.socket.connected).toBe(true);
  });

  it('limits presence to open conversations on request, with typing state (M18)', async () => {
    const carol = await signIn(server.api, '+8613700137000', testDevice('Carol'));
    await server.api.withToken(carol.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'bob', phones: [bobPhone] }] } });
    await server.api.withToken(bob.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'alice', phones: [alicePhone] }, { ref: 'carol', phones: ['+8613700137000'] }] } });
    const bobSocket = await client(bob.token);
    const ack = await bobSocket.socket.timeout(5000).emitWithAck('presence:scope', { mode: 'conversations', users: [alice.user.id] });
    expect(ack).toEqual({ ok: true });
    const aliceSocket = await client(alice.token);
    const carolSocket = await client(carol.token);
    await aliceSocket.set({ apps: ['slack'] });
    await carolSocket.set({ apps: ['slack'] });
    await bobSocket.waitFor((e) => e.userId === alice.user.id && appsOf(e).includes('slack'));
    const typing = new Promise((resolve) => bobSocket.socket.on('typing', resolve));
    expect(await aliceSocket.socket.timeout(5000).emitWithAck('typing', { to: bob.user.id, state: 'typing' })).toEqual({ ok: true });
    expect(await typing).toEqual({ from: alice.user.id, state: 'typing', at: expect.any(String) });
    await sleep(300);
    expect(bobSocket.received.filter((e) => e.userId === carol.user.id && e.status !== 'offline')).toEqual([]);
  });
});
