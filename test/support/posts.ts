import { expect } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { validatedListener, type ServerEventName, type ServerEventPayload } from '#common/contract/socket-events.js';
import { createPostgresSchema, signIn, startTestServer, testDevice, type ApiClient, type TestServer } from './test-server.js';
import { postgresAvailable, redisUrl } from './services.js';
import { PresenceClient, sleep } from './sockets.js';

/** A real 1×1 PNG: what the server recognises as a picture (and can make a thumbnail of). */
export const tinyPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export const postBackends = [
  { name: 'sqlite', available: async () => true },
  { name: 'postgres', available: postgresAvailable },
] as const;

/**
 * SQLite alone, or PostgreSQL with Redis (the invisible state then lives in the Redis presence store).
 * `otherNode` starts a second server on the same database and Redis (a cluster's other node) on
 * PostgreSQL; on SQLite, which has one node, it is the same server.
 */
export async function startPostsServer(
  backend: (typeof postBackends)[number],
  tag: string,
  extraEnv: Record<string, string> = {},
): Promise<{ server: TestServer; drop?: () => Promise<void>; otherNode: () => Promise<TestServer> }> {
  const limits = { sendsPerIpPerHour: 10_000, checksPerIpPerHour: 10_000 };
  if (backend.name === 'sqlite') {
    const server = await startTestServer({ limits, env: extraEnv });
    return { server, otherNode: async () => server };
  }
  if (!(await backend.available())) throw new Error('PostgreSQL is needed for this test');
  const schema = await createPostgresSchema();
  const env = { ...extraEnv, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `sbtest:${tag}:${process.pid}:${Date.now()}:` };
  const server = await startTestServer({ storage: schema.storage, limits, env });
  return { server, drop: schema.drop, otherNode: () => startTestServer({ storage: schema.storage, limits, env }) };
}

export type PostsUser = { id: string; phone: string; token: string; api: ApiClient };

let counter = 0;
/** A new user with a number no other test run uses in this process. */
export async function newUser(server: TestServer, name: string): Promise<PostsUser> {
  const phone = `+86136${String(40_000_000 + process.pid * 1000 + ++counter).slice(-8)}`;
  const session = await signIn(server.api, phone, testDevice(name));
  return { id: session.user.id, phone, token: session.token, api: server.api.withToken(session.token) };
}

export async function setBook(user: PostsUser, phones: string[]): Promise<void> {
  const answer = await user.api.route(routes.replaceAddressBook, { body: { entries: phones.map((phone, index) => ({ ref: `r${index}`, phones: [phone] })) } });
  expect(answer.status).toBe(200);
}

export async function uploadPicture(server: TestServer, user: PostsUser, bytes: Uint8Array = tinyPng, contentType = 'image/png'): Promise<string> {
  const response = await fetch(server.url + routes.uploadAttachment.path, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${user.token}` }, body: bytes });
  const body = (await response.json()) as { attachmentId: string };
  expect(response.status).toBe(201);
  return body.attachmentId;
}

/** A real socket recording the server events it receives, parsed with the shared event map. */
export class EventWatcher {
  readonly presence: PresenceClient;
  readonly received: { event: ServerEventName; payload: unknown }[] = [];
  readonly invalid: string[] = [];
  constructor(url: string, token: string, events: ServerEventName[]) {
    this.presence = new PresenceClient(url, token);
    for (const event of events) {
      this.presence.socket.on(
        event,
        validatedListener(
          event,
          (payload) => this.received.push({ event, payload }),
          (_event, problem) => this.invalid.push(problem),
        ),
      );
    }
  }
  of<E extends ServerEventName>(event: E): ServerEventPayload<E>[] {
    return this.received.filter((entry) => entry.event === event).map((entry) => entry.payload as ServerEventPayload<E>);
  }
  async waitFor<E extends ServerEventName>(event: E, predicate: (payload: ServerEventPayload<E>) => boolean, timeoutMs = 5000): Promise<ServerEventPayload<E>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(event).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching ${event} event; got ${JSON.stringify(this.received)}`);
      await sleep(20);
    }
  }
  close(): void {
    this.presence.close();
  }
}
