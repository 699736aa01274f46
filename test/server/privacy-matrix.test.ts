import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityVisibility, type ActivityVisibility } from '#common/contract/privacy.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

type Relation = {
  name: string;
  viewerHasSubject: boolean;
  subjectHasViewer: boolean;
  allowed: boolean;
  blocked: boolean;
};

const relations: Relation[] = [
  { name: 'mutual', viewerHasSubject: true, subjectHasViewer: true, allowed: false, blocked: false },
  { name: 'one-way (viewer has subject)', viewerHasSubject: true, subjectHasViewer: false, allowed: false, blocked: false },
  { name: 'one-way (subject has viewer)', viewerHasSubject: false, subjectHasViewer: true, allowed: false, blocked: false },
  { name: 'strangers', viewerHasSubject: false, subjectHasViewer: false, allowed: false, blocked: false },
  { name: 'allowed and mutual', viewerHasSubject: true, subjectHasViewer: true, allowed: true, blocked: false },
  { name: 'allowed, one-way', viewerHasSubject: true, subjectHasViewer: false, allowed: true, blocked: false },
  { name: 'blocked and mutual', viewerHasSubject: true, subjectHasViewer: true, allowed: false, blocked: true },
  { name: 'blocked and allowed', viewerHasSubject: true, subjectHasViewer: true, allowed: true, blocked: true },
];

const cases = activityVisibility.flatMap((mode) =>
  relations.flatMap((relation) => [true, false].map((discoverable) => ({ mode, relation, discoverable }))),
);

let counter = 0;
function nextPhone(): string {
  counter += 1;
  return `+86138${String(10_000_000 + counter).slice(-8)}`;
}

/**
 * Every visibility mode x relation x discoverability: who finds the subject by number, and who may see
 * the subject's activity. A block wins over everything.
 */
describe('privacy matrix', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { sendsPerIpPerHour: 10_000, checksPerIpPerHour: 10_000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(cases)('$mode / $relation.name / discoverable=$discoverable', async ({ mode, relation, discoverable }) => {
    const subjectPhone = nextPhone();
    const viewerPhone = nextPhone();
    const subject = await signIn(server.api, subjectPhone);
    const viewer = await signIn(server.api, viewerPhone);
    const subjectApi = server.api.withToken(subject.token);
    const viewerApi = server.api.withToken(viewer.token);

    await subjectApi.route(routes.updatePrivacy, { body: { activityVisibleTo: mode satisfies ActivityVisibility, discoverable } });
    if (relation.allowed) expect((await subjectApi.route(routes.allow, { params: { userId: viewer.user.id } })).status).toBe(204);
    if (relation.blocked) expect((await subjectApi.route(routes.block, { params: { userId: viewer.user.id } })).status).toBe(204);
    await subjectApi.route(routes.replaceAddressBook, { body: { entries: relation.subjectHasViewer ? [{ ref: 'v', phones: [viewerPhone] }] : [] } });
    const upload = await viewerApi.route<{ matches: { userId: string }[] }>(routes.replaceAddressBook, { body: {
      entries: relation.viewerHasSubject ? [{ ref: 's', phones: [subjectPhone] }] : [],
    } });

    const found = upload.body.matches.some((match) => match.userId === subject.user.id);
    // Not discoverable: the subject exists only for the people in the subject's own book (one rule for
    // discovery, contacts and presence).
    const existsForViewer = !relation.blocked && (discoverable || relation.subjectHasViewer);
    expect(found).toBe(relation.viewerHasSubject && existsForViewer);

    const mutual = relation.viewerHasSubject && relation.subjectHasViewer;
    const expectedSee = existsForViewer && (mode === 'contacts' ? mutual : mode === 'allowlist' ? relation.allowed : false);
    expect(await server.services.privacy.canSeeActivity(viewer.user.id, subject.user.id)).toBe(expectedSee);
    // The viewer's side of the same rule, used for snapshots, must agree.
    expect((await server.services.privacy.visibleSubjectsFor(viewer.user.id)).includes(subject.user.id)).toBe(expectedSee);
  });

  it('validates settings and lists', async () => {
    const me = await signIn(server.api, nextPhone());
    const api = server.api.withToken(me.token);
    expect((await api.route(routes.privacy)).body).toEqual({ activityVisibleTo: 'contacts', sharedApps: 'all', discoverable: true, groupAddsBy: 'everyone' });
    expect((await api.route(routes.updatePrivacy, { body: { activityVisibleTo: 'everyone' } })).body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await api.route(routes.updatePrivacy, { body: { sharedApps: ['slack', 'Not An Id'] } })).body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await api.route(routes.updatePrivacy, { body: { sharedApps: ['slack'] } })).body).toEqual({ activityVisibleTo: 'contacts', sharedApps: ['slack'], discoverable: true, groupAddsBy: 'everyone' });
    expect((await api.route(routes.updatePrivacy, { body: { groupAddsBy: 'friends' } })).body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await api.route(routes.block, { params: { userId: me.user.id } })).body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await api.route(routes.block, { params: { userId: '00000000-0000-4000-8000-000000000000' } })).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await api.route(routes.block, { params: { userId: 'not-a-uuid' } })).status).toBe(404);
    const other = await signIn(server.api, nextPhone());
    expect((await api.route(routes.block, { params: { userId: other.user.id } })).status).toBe(204);
    expect((await api.route(routes.block, { params: { userId: other.user.id } })).status).toBe(204);
    expect((await api.route(routes.blocklist)).body).toEqual([{ userId: other.user.id, since: expect.any(String) }]);
    expect((await api.route(routes.unblock, { params: { userId: other.user.id } })).status).toBe(204);
    expect((await api.route(routes.blocklist)).body).toEqual([]);
    expect((await server.api.route(routes.privacy)).status).toBe(401);
  });
});
