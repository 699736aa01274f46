import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serverEventSchemas, validatedListener, type PresenceEvent } from '#common/contract/socket-events.js';
import { PresenceLink, type PresenceLinkEvent } from '#core/presence/presence-link.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';

const validPresence: PresenceEvent = { userId: 'someone', status: 'online', text: 'here', apps: [{ plugin: 'slack', since: '2026-01-01T09:00:00.000Z' }], at: '2026-01-01T09:00:00.000Z' };

/** What a broken or foreign server could put on the wire; JSON, because the typed server would refuse to compile it. */
const malformed = {
  presence: JSON.parse('{"userId": 42, "status": "dancing"}') as unknown,
  sessionEnded: JSON.parse('{"reason": "because"}') as unknown,
};

describe('the socket event map', () => {
  it('names a payload schema for every server event, and a listener passes on only what parses', () => {
    expect(Object.keys(serverEventSchemas).sort()).toEqual(['address-book:changed', 'call:answered', 'call:ended', 'call:ice', 'call:incoming', 'call:renegotiate', 'contacts:changed', 'conversation:changed', 'identities', 'key-exchange:answered', 'key-exchange:pending', 'message', 'outside:presence', 'post', 'post:comment', 'post:comment:removed', 'post:likes', 'post:removed', 'presence', 'receipt', 'session:ended', 'typing']);
    const received: PresenceEvent[] = [];
    const problems: string[] = [];
    const listener = validatedListener('presence', (event) => received.push(event), (event, problem) => problems.push(`${event}: ${problem}`));
    listener(malformed.presence);
    listener(undefined);
    listener(validPresence);
    expect(received).toEqual([validPresence]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^presence: userId: /);
  });

  it('passes on a like count, with the liker\'s own state only when it is there, and refuses a count that is not one', () => {
    const received: unknown[] = [];
    const problems: string[] = [];
    const listener = validatedListener('post:likes', (event) => received.push(event), (_event, problem) => problems.push(problem));
    listener({ postId: 'p', likes: 3, countsVersion: 7 });
    listener({ postId: 'p', likes: 2, likedByMe: false, countsVersion: 8 });
    listener({ postId: 'p', likes: -1, countsVersion: 9 });
    listener({ postId: 'p', likes: 1.5, countsVersion: 9 });
    // Without its version a device could not tell an older count from a newer one.
    listener({ postId: 'p', likes: 4 });
    expect(received).toEqual([{ postId: 'p', likes: 3, countsVersion: 7 }, { postId: 'p', likes: 2, likedByMe: false, countsVersion: 8 }]);
    expect(problems).toHaveLength(3);
  });

  describe('a real client on a real server', () => {
    let server: TestServer;
    let link: PresenceLink;
    const events: PresenceLinkEvent[] = [];
    let ownUserId = '';
    beforeAll(async () => {
      server = await startTestServer();
      const session = await signIn(server.api, '+8613800138555');
      const { token } = session;
      ownUserId = session.user.id;
      link = new PresenceLink({ serverUrl: server.url, token, statusFields: () => ({ status: 'online' }) });
      const connected = new Promise<void>((resolve) => link.onEvent((event) => event.type === 'connected' && resolve()));
      link.onEvent((event) => events.push(event));
      link.start();
      await connected;
    });
    afterAll(async () => {
      link.stop();
      await server.close();
    });

    it('ignores and logs malformed server events, and keeps working', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        // Only the test's stand-in user: the link also receives its own user's real presence.
        const next = () =>
          new Promise<PresenceEvent>((resolve) => link.onEvent((event) => event.type === 'presence' && event.event.userId === validPresence.userId && resolve(event.event)));
        const arrived = next();
        server.io.emit('presence', malformed.presence as PresenceEvent);
        server.io.emit('session:ended', malformed.sessionEnded as { reason: 'logout' });
        server.io.emit('presence', validPresence);
        expect(await arrived).toEqual(validPresence);
        const received = events.flatMap((event) => (event.type === 'presence' ? [event.event] : []));
        expect(received.filter((event) => event.userId !== ownUserId)).toEqual([validPresence]);
        expect(events.some((event) => event.type === 'session_ended' || event.type === 'disconnected')).toBe(false);
        expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
          expect.stringMatching(/malformed 'presence' event/),
          expect.stringMatching(/malformed 'session:ended' event/),
        ]);
        // Still connected and listening.
        const again = next();
        server.io.emit('presence', { ...validPresence, text: 'still here' });
        expect((await again).text).toBe('still here');
      } finally {
        warn.mockRestore();
      }
    });
  });
});
