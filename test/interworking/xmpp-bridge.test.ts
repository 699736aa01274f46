import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import { ConfigError, loadConfig } from '#server/config.js';
import { routes } from '#common/contract/routes.js';
import { validatedListener, type TypingEvent } from '#common/contract/socket-events.js';
import type { OutsidePresenceEvent } from '#common/contract/interworking.js';
import type { ConversationView } from '#common/contract/messages.js';
import { MessageClient } from '../support/message-client.js';
import { PrivateProsody, prosodyAvailable } from '../support/prosody.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';
import { XmppPerson } from '../support/xmpp-person.js';

const prosodyUp = await prosodyAvailable();

const domain = 'xmpp.test';
const componentDomain = 'sb.xmpp.test';
const secret = `component-secret-${process.pid}`;
const alice = `alice@${domain}`;
const mallory = `mallory@${domain}`;
const phone = '+8613800138001';
const lina = `8613800138001@${componentDomain}`;

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the XMPP bridge configuration', () => {
  it('is off unless configured, and refuses half a configuration', () => {
    expect(loadConfig({}).xmpp).toBeUndefined();
    expect(() => loadConfig({ XMPP_COMPONENT_DOMAIN: 'sb.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ XMPP_COMPONENT_SERVICE: 'http://x', XMPP_COMPONENT_DOMAIN: 'sb.example.org', XMPP_COMPONENT_SECRET: 'long-enough' })).toThrow(/xmpp:\/\/host:port/);
    expect(loadConfig({ XMPP_COMPONENT_SERVICE: 'xmpp://127.0.0.1:5347', XMPP_COMPONENT_DOMAIN: 'sb.example.org', XMPP_COMPONENT_SECRET: 'long-enough' }).xmpp).toMatchObject({
      service: 'xmpp://127.0.0.1:5347',
      domain: 'sb.example.org',
      leaseMs: 15_000,
    });
  });
});

describe.skipIf(!prosodyUp)('the XMPP bridge with a real Prosody (XEP-0114 component)', () => {
  let prosody: PrivateProsody;
  let server: TestServer;
  let user: MessageClient;
  let token = '';
  let aliceClient: XmppPerson;
  const typing: TypingEvent[] = [];
  const presence: OutsidePresenceEvent[] = [];
  /** Typing and outside presence on the user's current socket (again after a reconnect). */
  const listen = () => {
    user.socket.on('typing', validatedListener('typing', (event) => typing.push(event), () => undefined));
    user.socket.on('outside:presence', validatedListener('outside:presence', (event) => presence.push(event), () => undefined));
  };

  beforeAll(async () => {
    prosody = await PrivateProsody.start({ domain, componentDomain, componentSecret: secret, users: ['alice', 'mallory'] });
    server = await startTestServer({
      env: {
        XMPP_COMPONENT_SERVICE: prosody.componentService,
        XMPP_COMPONENT_DOMAIN: componentDomain,
        XMPP_COMPONENT_SECRET: secret,
        XMPP_SWEEP_MS: '500',
        PRESENCE_GRACE_MS: '500',
        // Below the flood below: what arrives from outside must not count against what the user may send.
        MESSAGES_PER_SENDER_PER_MINUTE: '100',
      },
    });
    ({ token } = await signIn(server.api, phone));
    user = await new MessageClient(server.url, token, { autoAck: true }).connected();
    listen();
    await until(() => server.services.interworking?.holding() === true, 'the component to be online');
    aliceClient = await new XmppPerson(alice, prosody.service).online();
  }, 60_000);

  afterAll(async () => {
    user?.close();
    await aliceClient?.stop();
    await server?.close();
    await prosody?.down();
  });

  it('allows an outside address, which is asked for its presence and shows it on the contact', async () => {
    const api = server.api.withToken(token);
    const allowed = await api.route(routes.allowOutsideContact, { params: { address: `xmpp:${alice}` } });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ address: `xmpp:${alice}`, network: 'xmpp' });
    // The bridge asks for Alice's presence; her client approves, and her presence reaches Lina's devices.
    await aliceClient.waitFor((s) => s.name === 'presence' && s.attrs.type === 'subscribe' && s.attrs.from === lina, 'a subscription request');
    // And she sees Lina as there (a device of hers is connected).
    await aliceClient.waitFor((s) => s.name === 'presence' && s.attrs.from === lina && s.attrs.type === undefined, "Lina's presence");
    await until(() => presence.some((event) => event.address === `xmpp:${alice}` && event.status === 'online'), 'alice online');
    const listed = await api.route<{ address: string; presence?: { status: string } }[]>(routes.myOutsideContacts);
    expect(listed.body).toEqual([expect.objectContaining({ address: `xmpp:${alice}`, presence: expect.objectContaining({ status: 'online' }) })]);
    // A bad address is no address at all; our own component's users are reached by number instead.
    expect((await api.route(routes.allowOutsideContact, { params: { address: 'xmpp:not an address' } })).status).toBe(404);
    expect((await api.route(routes.allowOutsideContact, { params: { address: `xmpp:${lina}` } })).status).toBe(400);
  });

  it('carries a message out with its ids and maps the XMPP receipt to a receipt event', async () => {
    const answer = await user.send({ address: `xmpp:${alice}` }, 'Hello from Switchboard');
    if (!('ok' in answer) || !answer.message) throw new Error(`send failed: ${JSON.stringify(answer)}`);
    const { conversationId, id, seq } = answer.message;
    const arrived = await aliceClient.waitFor((s) => s.name === 'message' && s.getChildText('body') === 'Hello from Switchboard', 'the message');
    expect(arrived.attrs.from).toBe(lina);
    expect(arrived.getChild('origin-id', 'urn:xmpp:sid:0')?.attrs.id).toContain(id);
    expect(arrived.getChild('request', 'urn:xmpp:receipts')).toBeDefined();
    await aliceClient.receipt(lina, arrived.attrs.id ?? '');
    await user.until(() => user.receipts.some((r) => r.conversationId === conversationId && r.upTo === seq && r.by === `xmpp:${alice}`), 'the receipt');
    // Shown to her (XEP-0333 displayed marker): a read receipt.
    expect(arrived.getChild('markable', 'urn:xmpp:chat-markers:0')).toBeDefined();
    await aliceClient.send(xml('message', { to: lina, type: 'chat' }, xml('displayed', { xmlns: 'urn:xmpp:chat-markers:0', id: arrived.attrs.id ?? '' })));
    await user.until(() => user.receipts.some((r) => r.conversationId === conversationId && r.upTo === seq && r.state === 'read'), 'the read receipt');
    // The conversation's other member is the outside address.
    const conversations = await server.api.withToken(token).route<ConversationView[]>(routes.conversations);
    const conversation = conversations.body.find((c) => c.id === conversationId);
    expect(conversation?.members).toEqual(expect.arrayContaining([expect.objectContaining({ address: `xmpp:${alice}`, network: 'xmpp' })]));
  });

  it('stores a message from an allowed address once, delivers it, and sends the XMPP receipt after a device has it', async () => {
    const before = user.messages.length;
    const id = await aliceClient.say(lina, 'Hi Lina, from XMPP');
    await user.until(() => user.texts().includes('Hi Lina, from XMPP'), 'the message from alice');
    const message = user.messages.find((m) => 'text' in m.body && m.body.text === 'Hi Lina, from XMPP');
    expect(message?.from).toMatchObject({ address: `xmpp:${alice}`, network: 'xmpp' });
    // The device acknowledged it (autoAck): only then does Alice's client get its receipt.
    await aliceClient.waitFor((s) => s.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id, 'the receipt for her message');
    // Read on Switchboard: her client hears it was shown (XEP-0333).
    expect(aliceClient.stanzas.some((s) => s.getChild('displayed', 'urn:xmpp:chat-markers:0'))).toBe(false);
    if (!message) throw new Error('no message');
    expect(await user.read(message.conversationId, message.seq)).toEqual({ ok: true });
    await aliceClient.waitFor((s) => s.getChild('displayed', 'urn:xmpp:chat-markers:0')?.attrs.id === id, 'the displayed marker');
    // Sent again with the same origin-id (a client's retry): kept once, no double on any device.
    await aliceClient.say(lina, 'Hi Lina, from XMPP', id);
    await aliceClient.say(lina, 'and a second one');
    await user.until(() => user.texts().includes('and a second one'), 'the second message');
    expect(user.messages.length - before).toBe(2);
    expect(user.repeats).toBe(0);
    // Nothing that came from XMPP went back out to it: no echo.
    expect(aliceClient.bodies().filter((b) => b.text.includes('from XMPP'))).toEqual([]);
  });

  it('owes the XMPP receipt until a device of the user has the message, which is stored first', async () => {
    const seenBefore = aliceClient.stanzas.length;
    const linaPresence = (type: string | undefined) => (s: (typeof aliceClient.stanzas)[number]) =>
      aliceClient.stanzas.indexOf(s) >= seenBefore && s.name === 'presence' && s.attrs.from === lina && s.attrs.type === type;
    user.close();
    // Her last device gone (after the grace period): Alice sees Lina offline.
    await aliceClient.waitFor(linaPresence('unavailable'), 'Lina unavailable');
    const id = await aliceClient.say(lina, 'while you were away');
    const db = server.storage.db;
    await until(async () => (await db.selectFrom('messages').select('id').where('body', 'like', '%while you were away%').execute()).length === 1, 'the message to be stored');
    await until(async () => (await db.selectFrom('outside_inbound').select('seq').where('stanza_id', '=', id).execute()).length === 1, 'the receipt to be owed');
    // The holder's sweep ran since (every 500 ms here): still no receipt, since no device has the message.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(aliceClient.stanzas.some((s) => s.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id)).toBe(false);
    await user.reconnect(server.url);
    listen();
    await aliceClient.waitFor(linaPresence(undefined), 'Lina available again');
    await user.until(() => user.texts().includes('while you were away'), 'the backlog');
    await aliceClient.waitFor((s) => s.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id, 'the receipt once the device has it');
  });

  it('maps chat states to typing both ways', async () => {
    await aliceClient.typing(lina, 'composing');
    await until(() => typing.some((t) => t.from === `xmpp:${alice}` && t.state === 'typing'), 'typing from alice');
    await aliceClient.typing(lina, 'paused');
    await until(() => typing.some((t) => t.from === `xmpp:${alice}` && t.state === 'paused'), 'paused from alice');
    const ack = await user.socket.timeout(5000).emitWithAck('typing', { to: `xmpp:${alice}`, state: 'typing' });
    expect(ack).toEqual({ ok: true });
    await aliceClient.waitFor((s) => s.name === 'message' && s.attrs.from === lina && s.getChild('composing', 'http://jabber.org/protocol/chatstates') !== undefined, 'composing from lina');
  });

  it("refuses a stranger's message with an XMPP error and stores it nowhere", async () => {
    const stranger = await new XmppPerson(mallory, prosody.service).online();
    try {
      const id = await stranger.say(lina, 'let me in');
      const refusal = await stranger.waitFor((s) => s.name === 'message' && s.attrs.type === 'error' && s.attrs.id === id, 'the refusal');
      expect(refusal.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
      // Not to a number nobody uses either, with the same answer.
      const nobody = await stranger.say(`8613999999999@${componentDomain}`, 'anyone?');
      await stranger.waitFor((s) => s.attrs.type === 'error' && s.attrs.id === nobody, 'the refusal for nobody');
      const db = server.storage.db;
      const stored = await db.selectFrom('messages').select('id').where('client_id', 'like', `xmpp:${mallory}%`).execute();
      expect(stored).toEqual([]);
      expect(await db.selectFrom('outside_conversations').select('address').where('address', '=', `xmpp:${mallory}`).execute()).toEqual([]);
      expect(user.texts()).not.toContain('let me in');
    } finally {
      await stranger.stop();
    }
  });

  it('survives a Prosody restart: reconnects, and nothing acknowledged is lost', async () => {
    await prosody.down();
    await until(() => server.services.interworking?.holding() === false, 'the component to notice');
    // Acknowledged by Switchboard while the XMPP server is away: it must reach Alice later.
    const answer = await user.send({ address: `xmpp:${alice}` }, 'sent while prosody was down');
    expect(answer).toMatchObject({ ok: true });
    await prosody.up();
    await until(() => server.services.interworking?.holding() === true, 'the component to reconnect', 30_000);
    // Alice's client reconnects by itself; the message waits for her in Prosody or arrives live.
    await aliceClient.waitFor((s) => s.getChildText('body') === 'sent while prosody was down', 'the message sent during the outage', 30_000);
    await until(() => aliceClient.connected, 'alice to be back');
    await aliceClient.say(lina, 'back again');
    await user.until(() => user.texts().includes('back again'), 'a message after the restart', 20_000);
  }, 90_000);

  it('holds one chatty contact to a pace, and stores none of what it refused', async () => {
    const ids = await Promise.all(Array.from({ length: 250 }, (_, index) => aliceClient.say(lina, `flood ${index}`)));
    const answered = (id: string) => aliceClient.stanzas.some((s) => s.attrs.id === id && s.attrs.type === 'error') || user.texts().includes(`flood ${ids.indexOf(id)}`);
    await until(() => ids.every(answered), 'every flood message to be stored or refused', 60_000);
    const refused = ids.filter((id) => aliceClient.stanzas.some((s) => s.attrs.id === id && s.attrs.type === 'error' && s.getChild('error')?.getChild('resource-constraint', 'urn:ietf:params:xml:ns:xmpp-stanzas')));
    // Two one-minute windows at most let 240 through.
    expect(refused.length).toBeGreaterThanOrEqual(10);
    const stored = await server.storage.db.selectFrom('messages').select('body').where('body', 'like', '%flood %').execute();
    expect(stored.length).toBe(250 - refused.length);
    // The flood counted against Alice's address, not against what Lina may send.
    expect(await user.send({ address: `xmpp:${alice}` }, 'please slow down')).toMatchObject({ ok: true });
  }, 90_000);
});
