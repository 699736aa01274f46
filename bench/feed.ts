import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { createPostgresSchema } from '#test/support/test-server.js';
import { postgresUrl, tcpReachable } from '#test/support/services.js';
import { benchPhones, signUpMany, startBenchServer } from './support/switchboard.js';
import { percentile, round } from './support/stats.js';

const contactsCount = 500;
const postsPerContact = 10;
const samples = 300;

/** Runs `work` over `items` with a few requests in flight at once. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

async function timed(times: number[], call: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await call();
  times.push(performance.now() - started);
}

async function measure(storage: 'sqlite' | 'postgres'): Promise<Record<string, number>> {
  let dropSchema: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {};
  if (storage === 'postgres') {
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    env.DATABASE_URL = schema.databaseUrl;
  }
  const server = await startBenchServer(env);
  try {
    const [reader] = await signUpMany(server.url, benchPhones(1, '158'));
    if (!reader) throw new Error('no reader');
    const contacts = await signUpMany(server.url, benchPhones(contactsCount, '137'));
    const client = (token: string) => new SwitchboardClient({ baseUrl: server.url, timeoutMs: 120_000 }).withToken(token);
    const readerApi = client(reader.token);
    // Mutual contacts: the reader's book holds all 500, each of theirs holds the reader.
    await readerApi.call(routes.replaceAddressBook, { body: { entries: contacts.map((contact, i) => ({ ref: `c${i}`, phones: [contact.phone] })) } });
    await inParallel(contacts, 16, async (contact) => {
      await client(contact.token).call(routes.replaceAddressBook, { body: { entries: [{ ref: 'reader', phones: [reader.phone] }] } });
    });
    // Each contact posts, round by round, so the feed interleaves authors as in life.
    const rounds = Array.from({ length: postsPerContact }, (_, round) => round);
    for (const round of rounds) {
      await inParallel(contacts, 16, async (contact, i) => {
        await client(contact.token).call(routes.createPost, { body: { kind: i % 3 === 0 ? 'diary' : 'mood', text: `round ${round} from ${i}`, visibleTo: 'contacts' } });
      });
    }
    const firstPage: number[] = [];
    const deepPage: number[] = [];
    const badge: number[] = [];
    let cursor: string | undefined;
    const total = contactsCount * postsPerContact;
    let walked = 0;
    for (let n = 0; n < samples; n++) {
      await timed(firstPage, () => readerApi.call(routes.feed, { query: { limit: 20 } }));
      // A walk down the feed, restarting at the top when it reaches the end.
      await timed(deepPage, async () => {
        const page = await readerApi.call(routes.feed, { query: { limit: 20, ...(cursor ? { before: cursor } : {}) } });
        walked += page.posts.length;
        cursor = page.next;
      });
      await timed(badge, () => readerApi.call(routes.feedUnseen, {}));
    }
    const top = await readerApi.call(routes.feed, { query: { limit: 100 } });
    if (top.posts.length !== 100 || walked < Math.min(total, samples * 20)) throw new Error(`the feed is short: ${top.posts.length} on top, ${walked} walked`);
    return {
      [`${storage}: GET /v1/feed first page, p50 (ms)`]: round(percentile(firstPage, 50)),
      [`${storage}: GET /v1/feed first page, p99 (ms)`]: round(percentile(firstPage, 99)),
      [`${storage}: GET /v1/feed?before= walking down, p50 (ms)`]: round(percentile(deepPage, 50)),
      [`${storage}: GET /v1/feed?before= walking down, p99 (ms)`]: round(percentile(deepPage, 99)),
      [`${storage}: GET /v1/feed/unseen (badge), p99 (ms)`]: round(percentile(badge, 99)),
    };
  } finally {
    await server.kill('SIGTERM');
    await dropSchema?.();
  }
}

/** The feed of a user with 500 mutual contacts who posted 10 times each, read from the (author, seq) index. */
export async function benchFeed(): Promise<Record<string, string | number>> {
  const results: Record<string, string | number> = { contacts: contactsCount, 'posts in the feed': contactsCount * postsPerContact, 'page size': 20, samples };
  Object.assign(results, await measure('sqlite'));
  if (await tcpReachable('127.0.0.1', 5432)) Object.assign(results, await measure('postgres'));
  else results.postgres = `not reachable (${postgresUrl}): skipped`;
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchFeed());
  process.exit(0);
}
