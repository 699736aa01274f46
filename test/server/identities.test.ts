import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { validatedListener, type IdentitiesEvent } from '#common/contract/socket-events.js';
import { createPostgresSchema, signIn, startTestServer, testDevice, type ApiClient, type TestServer } from '../support/test-server.js';
import { postgresAvailable, redisUrl } from '../support/services.js';
import { PresenceClient, sleep } from '../support/sockets.js';

let counter = 0;
const nextPhone = () => `+86137${String(30_000_000 + ++counter).slice(-8)}`;

type ContactItem = { userId: string; identities: Record<string, Record<string, string>> };

/** A real socket that records the `identities` events it receives, parsed with the shared event map. */
class IdentitiesWatcher {
  readonly presence: PresenceClient;
  readonly received: IdentitiesEvent[] = [];
  readonly invalid: string[] = [];
  constructor(url: string, token: string) {
    this.presence = new PresenceClient(url, token);
    this.presence.socket.on('identities', validatedListener('identities', (event) => this.received.push(event), (_event, problem) => this.invalid.push(problem)));
  }
  async waitFor(predicate: (event: IdentitiesEvent) => boolean, timeoutMs = 5000): Promise<IdentitiesEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching identities event; got ${JSON.stringify(this.received)}`);
      await sleep(20);
    }
  }
  close(): void {
    this.presence.close();
  }
}

const backends = [
  { name: 'sqlite', available: async () => true },
  { name: 'postgres', available: postgresAvailable },
] as const;

describe.each(backends)('network identities on $name', (backend) => {
  let server: TestServer;
  let dropSchema: (() => Promise<void>) | undefined;
  const watchers: { close(): void }[] = [];

  beforeAll(async () => {
    const limits = { sendsPerIpPerHour: 10_000, checksPerIpPerHour: 10_000 };
    if (backend.name === 'postgres') {
      if (!(await backend.available())) throw new Error('PostgreSQL is needed for this test');
      const schema = await createPostgresSchema();
      dropSchema = schema.drop;
      // PostgreSQL with Redis: the invisible state lives in the Redis presence store here.
      server = await startTestServer({ storage: schema.storage, limits, env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `sbtest:identities:${process.pid}:${Date.now()}:` } });
    } else {
      server = await startTestServer({ limits });
    }
  });
  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    await server.close();
    await dropSchema?.();
  });

  async function user(name: string) {
    const phone = nextPhone();
    const session = await signIn(server.api, phone, testDevice(name));
    return { phone, session, api: server.api.withToken(session.token), id: session.user.id };
  }
  async function book(api: ApiClient, phones: string[]) {
    const answer = await api.route(routes.replaceAddressBook, { body: { entries: phones.map((phone, index) => ({ ref: `r${index}`, phones: [phone] })) } });
    expect(answer.status).toBe(200);
  }
  async function identitiesSeenBy(api: ApiClient, subjectId: string) {
    const answer = await api.route<ContactItem[]>(routes.contacts);
    expect(answer.status).toBe(200);
    return answer.body.find((contact) => contact.userId === subjectId)?.identities;
  }
  async function mutualPair() {
    const subject = await user('subject');
    const viewer = await user('viewer');
    await book(subject.api, [viewer.phone]);
    await book(viewer.api, [subject.phone]);
    return { subject, viewer };
  }
  function watch(token: string) {
    const watcher = new IdentitiesWatcher(server.url, token);
    watchers.push(watcher);
    return watcher;
  }

  it('publishes, validates against the manifest, lists and deletes', async () => {
    const me = await user('me');
    const put = await me.api.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: '  lina_chen ' } });
    expect(put).toMatchObject({ status: 200, body: { username: 'lina_chen' } });
    const slack = await me.api.route(routes.publishIdentity, { params: { pluginId: 'slack' }, body: { team: 'T024BE7LD', id: 'U024BE7LH', visibleTo: 'allowlist' } });
    expect(slack.body).toEqual({ team: 'T024BE7LD', id: 'U024BE7LH', visibleTo: 'allowlist' });
    // Networks that reach people by their number: publishing says "I use it", with no fields.
    expect((await me.api.route(routes.publishIdentity, { params: { pluginId: 'whatsapp' }, body: {} })).status).toBe(200);

    const wrongFormat = await me.api.route<{ error: { code: string; field: string; example: string } }>(routes.publishIdentity, { params: { pluginId: 'slack' }, body: { team: 'T024BE7LD', id: 'not-a-member-id' } });
    expect(wrongFormat.status).toBe(400);
    expect(wrongFormat.body.error).toMatchObject({ code: 'validation_failed', field: 'id', example: 'U024BE7LH' });
    const missing = await me.api.route<{ error: { field: string } }>(routes.publishIdentity, { params: { pluginId: 'slack' }, body: { team: 'T024BE7LD' } });
    expect([missing.status, missing.body.error.field]).toEqual([400, 'id']);
    const stranger = await me.api.route<{ error: { field: string } }>(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'lina_chen', password: 'x' } });
    expect([stranger.status, stranger.body.error.field]).toEqual([400, 'password']);
    const badAudience = await me.api.route<{ error: { field: string } }>(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'lina_chen', visibleTo: 'everyone' } });
    expect([badAudience.status, badAudience.body.error.field]).toEqual([400, 'visibleTo']);
    const notText = await me.api.route<{ error: { field: string } }>(routes.publishIdentity, { params: { pluginId: 'qq' }, body: { number: 10001 } });
    expect([notText.status, notText.body.error.field]).toEqual([400, 'number']);
    expect((await me.api.route(routes.publishIdentity, { params: { pluginId: 'nosuchnetwork' }, body: {} })).status).toBe(404);
    expect((await me.api.route(routes.removeIdentity, { params: { pluginId: 'nosuchnetwork' } })).status).toBe(404);
    expect((await server.api.route(routes.myIdentities)).status).toBe(401);

    expect((await me.api.route(routes.myIdentities)).body).toEqual({
      slack: { team: 'T024BE7LD', id: 'U024BE7LH', visibleTo: 'allowlist' },
      telegram: { username: 'lina_chen' },
      whatsapp: {},
    });
    expect((await me.api.route(routes.removeIdentity, { params: { pluginId: 'slack' } })).status).toBe(204);
    expect((await me.api.route(routes.removeIdentity, { params: { pluginId: 'slack' } })).status).toBe(204);
    expect(Object.keys((await me.api.route(routes.myIdentities)).body)).toEqual(['telegram', 'whatsapp']);
  });

  it('refuses hostile values and shapes with a 400, and parallel publishes leave one consistent value', async () => {
    const me = await user('attacker');
    const refused = async (pluginId: string, body: unknown) => (await me.api.route(routes.publishIdentity, { params: { pluginId }, body })).status;
    // Values that would break out of a link template never reach one: the manifest's format refuses them.
    expect(await refused('telegram', { username: 'bob/../?x=1&y=#frag' })).toBe(400);
    expect(await refused('element', { userId: '@a:b.org/../../evil' })).toBe(400);
    expect(await refused('teams', { email: 'bob+tag@example.com?cc=eve@example.net' })).toBe(400);
    expect(await refused('discord', { id: 'javascript:alert(1)//' })).toBe(400);
    expect(await refused('telegram', { username: 'a'.repeat(100_000) })).toBeGreaterThanOrEqual(400);
    expect(await refused('telegram', Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, 'x'])))).toBe(400);
    expect(await refused('telegram', ['username', 'lina_chen'])).toBe(400);
    expect(await refused('..%2Fslack', { team: 'T024BE7LD', id: 'U024BE7LH' })).toBe(404);
    expect((await me.api.route(routes.myIdentities)).body).toEqual({});
    // A "__proto__" key is dropped by the body's parsing, never stored nor reaching an object's prototype.
    const polluted = await me.api.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: JSON.parse('{"__proto__": {"admin": true}, "username": "lina_chen"}') as unknown });
    expect([200, 400]).toContain(polluted.status);
    if (polluted.status === 200) expect(JSON.stringify((await me.api.route(routes.myIdentities)).body)).toBe('{"telegram":{"username":"lina_chen"}}');
    // Twenty publishes at once: the last write wins whole, never a mix of two.
    const handles = Array.from({ length: 20 }, (_, i) => `handle_${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(handles.map((username) => me.api.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username } })));
    expect(answers.map((answer) => answer.status)).toEqual(handles.map(() => 200));
    const stored = (await me.api.route<Record<string, { username: string }>>(routes.myIdentities)).body;
    expect(Object.keys(stored)).toEqual(['telegram']);
    expect(handles).toContain(stored.telegram?.username);
  });

  it('a mutual contact sees what was published, over HTTP and live on the socket', async () => {
    const { subject, viewer } = await mutualPair();
    const watcher = watch(viewer.session.token);
    await watcher.presence.connected();
    await subject.api.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'lina_chen' } });
    expect(await identitiesSeenBy(viewer.api, subject.id)).toEqual({ telegram: { username: 'lina_chen' } });
    await watcher.waitFor((event) => event.userId === subject.id && event.identities.telegram?.username === 'lina_chen');
    await subject.api.route(routes.removeIdentity, { params: { pluginId: 'telegram' } });
    await watcher.waitFor((event) => event.userId === subject.id && Object.keys(event.identities).length === 0);
    expect(await identitiesSeenBy(viewer.api, subject.id)).toEqual({});
    expect(watcher.invalid).toEqual([]);
  });

  type Case = { name: string; arrange(subject: Awaited<ReturnType<typeof user>>, viewer: Awaited<ReturnType<typeof user>>, subjectSocket: PresenceClient): Promise<void>; mutual?: boolean };
  const hidden: Case[] = [
    { name: 'a blocked viewer', arrange: async (subject, viewer) => void (await subject.api.route(routes.block, { params: { userId: viewer.id } })) },
    {
      name: 'a viewer outside the allowlist',
      arrange: async (subject) => void (await subject.api.route(routes.updatePrivacy, { body: { activityVisibleTo: 'allowlist' } })),
    },
    { name: 'a viewer while the subject is invisible', arrange: async (_subject, _viewer, socket) => void expect(await socket.set({ status: 'invisible' })).toEqual({ ok: true }) },
    { name: 'a non-mutual contact under "contacts"', arrange: async () => undefined, mutual: false },
    { name: 'a viewer of a network the subject does not share', arrange: async (subject) => void (await subject.api.route(routes.updatePrivacy, { body: { sharedApps: ['whatsapp'] } })) },
    { name: 'anyone when the identity is for nobody', arrange: async () => undefined },
  ];

  it.each(hidden)('$name learns no identity (HTTP and socket)', async (setup) => {
    const subject = await user('subject');
    const viewer = await user('viewer');
    if (setup.mutual !== false) await book(subject.api, [viewer.phone]);
    await book(viewer.api, [subject.phone]);
    const subjectSocket = new PresenceClient(server.url, subject.session.token);
    await subjectSocket.connected();
    watchers.push(subjectSocket);
    const watcher = watch(viewer.session.token);
    await watcher.presence.connected();
    await setup.arrange(subject, viewer, subjectSocket);
    const forNobody = setup.name.startsWith('anyone');
    await subject.api.route(routes.publishIdentity, { params: { pluginId: 'telegram' }, body: { username: 'secret_handle', ...(forNobody ? { visibleTo: 'nobody' } : {}) } });
    await subject.api.route(routes.publishIdentity, { params: { pluginId: 'slack' }, body: { team: 'T024BE7LD', id: 'U024BE7LH' } });
    expect((await identitiesSeenBy(viewer.api, subject.id)) ?? {}).not.toHaveProperty('telegram');
    if (!setup.name.startsWith('anyone')) expect((await identitiesSeenBy(viewer.api, subject.id)) ?? {}).toEqual({});
    await sleep(300);
    expect(JSON.stringify(watcher.received)).not.toContain('secret_handle');
  });

  it('an invisible user\'s identities disappear live, and come back when visible', async () => {
    const { subject, viewer } = await mutualPair();
    const subjectSocket = new PresenceClient(server.url, subject.session.token);
    watchers.push(subjectSocket);
    const watcher = watch(viewer.session.token);
    await Promise.all([subjectSocket.connected(), watcher.presence.connected()]);
    await subject.api.route(routes.publishIdentity, { params: { pluginId: 'line' }, body: { lineId: 'lina.chen' } });
    await watcher.waitFor((event) => event.identities.line?.lineId === 'lina.chen');
    const before = watcher.received.length;
    await subjectSocket.set({ status: 'invisible' });
    await watcher.waitFor((event) => watcher.received.indexOf(event) >= before && Object.keys(event.identities).length === 0);
    expect(await identitiesSeenBy(viewer.api, subject.id)).toEqual({});
    await subjectSocket.set({ status: 'online' });
    await watcher.waitFor((event) => watcher.received.indexOf(event) > before && event.identities.line?.lineId === 'lina.chen');
  });

  it('pushes only to allowed viewers: an allowlisted one sees its identity, a mutual contact only the others', async () => {
    const subject = await user('subject');
    const friend = await user('friend');
    const listed = await user('listed');
    const blocked = await user('blocked');
    await book(subject.api, [friend.phone, blocked.phone]);
    for (const other of [friend, listed, blocked]) await book(other.api, [subject.phone]);
    await subject.api.route(routes.allow, { params: { userId: listed.id } });
    await subject.api.route(routes.block, { params: { userId: blocked.id } });
    const friendWatch = watch(friend.session.token);
    const listedWatch = watch(listed.session.token);
    const blockedWatch = watch(blocked.session.token);
    await Promise.all([friendWatch, listedWatch, blockedWatch].map((w) => w.presence.connected()));
    await subject.api.route(routes.publishIdentity, { params: { pluginId: 'discord' }, body: { id: '80351110224678912', visibleTo: 'allowlist' } });
    await subject.api.route(routes.publishIdentity, { params: { pluginId: 'mastodon' }, body: { account: '@lina@mastodon.social' } });
    await listedWatch.waitFor((event) => event.identities.discord?.id === '80351110224678912');
    await friendWatch.waitFor((event) => event.identities.mastodon !== undefined);
    await sleep(300);
    expect(JSON.stringify(friendWatch.received)).not.toContain('80351110224678912');
    expect(JSON.stringify(listedWatch.received)).not.toContain('mastodon');
    // At most an empty set (sent when the block took sight away), never an identity.
    expect(blockedWatch.received.filter((event) => Object.keys(event.identities).length > 0)).toEqual([]);
    expect(await identitiesSeenBy(listed.api, subject.id)).toEqual({ discord: { id: '80351110224678912' } });
    expect(await identitiesSeenBy(friend.api, subject.id)).toEqual({ mastodon: { account: '@lina@mastodon.social' } });
    expect(await identitiesSeenBy(blocked.api, subject.id)).toBeUndefined();
  });
});
