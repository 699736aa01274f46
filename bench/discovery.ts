import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { createPostgresSchema } from '#test/support/test-server.js';
import { postgresUrl, tcpReachable } from '#test/support/services.js';
import { benchPhones, signUpMany, startBenchServer } from './support/switchboard.js';
import { percentile, round } from './support/stats.js';

const bookSize = 10_000;
const registered = 1_000;

async function measure(storage: 'sqlite' | 'postgres'): Promise<Record<string, number>> {
  let dropSchema: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {};
  if (storage === 'postgres') {
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    const searchPath = (schema.storage as { searchPath: string }).searchPath;
    env.DATABASE_URL = `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${searchPath}`)}`;
  }
  const server = await startBenchServer(env);
  try {
    const phones = benchPhones(bookSize, '136');
    // Every tenth number in the book belongs to a user.
    const users = await signUpMany(server.url, phones.filter((_, i) => i % (bookSize / registered) === 0));
    const owners = await signUpMany(server.url, benchPhones(5, '158'));
    const entries = phones.map((phone, i) => ({ ref: `r${i}`, phones: [phone] }));
    // A first upload writes the whole book; a repeat upload of the same book writes only differences.
    const firstTimes: number[] = [];
    const repeatTimes: number[] = [];
    let matches = 0;
    for (const owner of owners) {
      const ownerApi = new SwitchboardClient({ baseUrl: server.url, timeoutMs: 120_000 }).withToken(owner.token);
      let started = performance.now();
      const answer = await ownerApi.call(routes.replaceAddressBook, { body: { entries } });
      firstTimes.push(performance.now() - started);
      matches = answer.matches.length;
      started = performance.now();
      await ownerApi.call(routes.replaceAddressBook, { body: { entries } });
      repeatTimes.push(performance.now() - started);
    }
    const api = new SwitchboardClient({ baseUrl: server.url, timeoutMs: 120_000 }).withToken(owners[0]!.token);
    const patchTimes: number[] = [];
    let version = (await api.call(routes.addressBook, {})).version;
    for (let run = 0; run < 20; run += 1) {
      const started = performance.now();
      const answer = await api.call(routes.patchAddressBook, {
        body: { baseVersion: version, add: [{ ref: `extra${run}`, phones: [phones[run] as string] }], remove: [`r${run + 100}`] },
      });
      patchTimes.push(performance.now() - started);
      version = answer.version;
    }
    if (matches !== users.length) throw new Error(`expected ${users.length} matches, got ${matches}`);
    return {
      [`${storage}: first 10,000-entry upload with discovery, median (ms)`]: round(percentile(firstTimes, 50)),
      [`${storage}: repeat upload of the same book, median (ms)`]: round(percentile(repeatTimes, 50)),
      [`${storage}: matches found`]: matches,
      [`${storage}: incremental change (1 add, 1 remove), p50 (ms)`]: round(percentile(patchTimes, 50)),
    };
  } finally {
    await server.kill('SIGTERM');
    await dropSchema?.();
  }
}

/** Server time to discover which of a 10,000-entry address book are users (goal: under 300 ms here). */
export async function benchDiscovery(): Promise<Record<string, string | number>> {
  const results: Record<string, string | number> = { 'book size': bookSize, 'registered users in it': registered };
  Object.assign(results, await measure('sqlite'));
  if (await tcpReachable('127.0.0.1', 5432)) Object.assign(results, await measure('postgres'));
  else results.postgres = 'not reachable: skipped';
  results['goal (ms)'] = 300;
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchDiscovery());
  process.exit(0);
}
