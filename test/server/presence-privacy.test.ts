import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { PresenceClient, appsOf, sleep } from '../support/sockets.js';
import { routes } from '#common/contract/routes.js';

let counter = 0;
const nextPhone = () => `+86139${String(20_000_000 + ++counter).slice(-8)}`;

type Setup = {
  mode: 'contacts' | 'allowlist' | 'nobody';
  mutual: boolean;
  allowed: boolean;
  blocked: boolean;
  sharedApps: 'all' | string[];
};

const setups: (Setup & { name: string; sees: boolean })[] = [
  { name: 'contacts, mutual', mode: 'contacts', mutual: true, allowed: false, blocked: false, sharedApps: 'all', sees: true },
  { name: 'contacts, one-way', mode: 'contacts', mutual: false, allowed: false, blocked: false, sharedApps: 'all', sees: false },
  { name: 'contacts, mutual but blocked', mode: 'contacts', mutual: true, allowed: false, blocked: true, sharedApps: 'all', sees: false },
  { name: 'allowlist, allowed', mode: 'allowlist', mutual: false, allowed: true, blocked: false, sharedApps: 'all', sees: true },
  { name: 'allowlist, mutual but not allowed', mode: 'allowlist', mutual: true, allowed: false, blocked: false, sharedApps: 'all', sees: false },
  { name: 'allowlist, allowed but blocked', mode: 'allowlist', mutual: true, allowed: true, blocked: true, sharedApps: 'all', sees: false },
  { name: 'nobody, mutual and allowed', mode: 'nobody', mutual: true, allowed: true, blocked: false, sharedApps: 'all', sees: false },
];

/** Nothing reaches a blocked user, a non-allowed user, or anyone under `nobody`; unshared apps never leave. */
describe('presence privacy', () => {
  let server: TestServer;
  const clients: PresenceClient[] = [];
  beforeAll(async () => {
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '300' }, limits: { sendsPerIpPerHour: 10_000, checksPerIpPerHour: 10_000 } });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  async function pair(setup: Setup) {
    const subjectPhone = nextPhone();
    const viewerPhone = nextPhone();
    const subject = await signIn(server.api, subjectPhone, testDevice('subject'));
    const viewer = await signIn(server.api, viewerPhone, testDevice('viewer'));
    const subjectApi = server.api.withToken(subject.token);
    await subjectApi.route(routes.updatePrivacy, { body: { activityVisibleTo: setup.mode, sharedApps: setup.sharedApps } });
    if (setup.allowed) await subjectApi.route(routes.allow, { params: { userId: viewer.user.id } });
    if (setup.blocked) await subjectApi.route(routes.block, { params: { userId: viewer.user.id } });
    await subjectApi.route(routes.replaceAddressBook, { body: { entries: setup.mutual ? [{ ref: 'v', phones: [viewerPhone] }] : [] } });
    await server.api.withToken(viewer.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 's', phones: [subjectPhone] }] } });
    const viewerSocket = new PresenceClient(server.url, viewer.token);
    const subjectSocket = new PresenceClient(server.url, subject.token);
    clients.push(viewerSocket, subjectSocket);
    await Promise.all([viewerSocket.connected(), subjectSocket.connected()]);
    return { subject, viewer, viewerSocket, subjectSocket };
  }

  it.each(setups)('$name', async (setup) => {
    const { subject, viewerSocket, subjectSocket } = await pair(setup);
    expect(await subjectSocket.set({ apps: ['slack', 'telegram'], text: 'hello' })).toEqual({ ok: true });
    if (setup.sees) {
      const seen = await viewerSocket.waitFor((e) => e.userId === subject.user.id && e.apps.length > 0);
      expect(appsOf(seen)).toEqual(['slack', 'telegram']);
    } else {
      await sleep(400);
      expect(viewerSocket.received.filter((e) => e.userId === subject.user.id)).toEqual([]);
    }
  });

  it('never sends unshared apps', async () => {
    const { subject, viewerSocket, subjectSocket } = await pair({ mode: 'contacts', mutual: true, allowed: false, blocked: false, sharedApps: ['telegram'] });
    await subjectSocket.set({ apps: ['slack', 'telegram', 'wechat'] });
    const seen = await viewerSocket.waitFor((e) => e.userId === subject.user.id && e.apps.length > 0);
    expect(appsOf(seen)).toEqual(['telegram']);
    await subjectSocket.set({ apps: ['slack'] });
    const after = await viewerSocket.next((e) => e.userId === subject.user.id);
    expect(after.apps).toEqual([]);
    expect(viewerSocket.received.flatMap(appsOf)).not.toContain('slack');
  });

  it('a block takes effect at once: the blocked viewer sees the subject go offline', async () => {
    const { subject, viewer, viewerSocket, subjectSocket } = await pair({ mode: 'contacts', mutual: true, allowed: false, blocked: false, sharedApps: 'all' });
    await subjectSocket.set({ apps: ['signal'] });
    await viewerSocket.waitFor((e) => e.userId === subject.user.id && appsOf(e).includes('signal'));
    await server.api.withToken(subject.token).route(routes.block, { params: { userId: viewer.user.id } });
    await viewerSocket.next((e) => e.userId === subject.user.id && e.status === 'offline');
    const count = viewerSocket.received.length;
    await subjectSocket.set({ apps: ['signal', 'zoom'] });
    await sleep(300);
    expect(viewerSocket.received.slice(count).filter((e) => e.userId === subject.user.id)).toEqual([]);
    await server.api.withToken(subject.token).route(routes.unblock, { params: { userId: viewer.user.id } });
    const back = await viewerSocket.next((e) => e.userId === subject.user.id && e.apps.length > 0);
    expect(appsOf(back)).toEqual(['signal', 'zoom']);
  });
});
