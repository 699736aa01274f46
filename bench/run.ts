// `npm run bench [name ...]`: runs the benchmarks one after another (they share two cores, so never in
// parallel) and prints their figures. Figures are printed, never asserted.
import { benchAddressBookImport } from './address-book-import.js';
import { benchDiscovery } from './discovery.js';
import { benchFeed } from './feed.js';
import { benchMessages } from './messages.js';
import { benchPresenceFanout } from './presence-fanout.js';
import { benchPresenceMemory } from './presence-memory.js';
import { benchWatcher } from './watcher.js';
import { benchWebClient } from './web-client.js';

const benches: Record<string, { about: string; run: () => Promise<Record<string, string | number>> }> = {
  'address-book-import': { about: 'parse a 10,000-entry vCard on the client', run: benchAddressBookImport },
  discovery: { about: 'server time to discover a 10,000-entry address book (SQLite and PostgreSQL)', run: benchDiscovery },
  watcher: { about: 'app watcher CPU and detection latency with ~500 processes', run: benchWatcher },
  'presence-memory': { about: 'server memory per idle connection at 10,000 connections', run: benchPresenceMemory },
  'presence-fanout': { about: 'presence fan-out latency and loss, side by side with Prosody', run: benchPresenceFanout },
  messages: { about: '1:1 messages between online users (SQLite, PostgreSQL) and a 10,000-message backlog', run: benchMessages },
  feed: { about: 'GET /v1/feed p99 for a user with 500 contacts posting (SQLite and PostgreSQL)', run: benchFeed },
  'web-client': { about: 'cold start of the web client to 5,000 cached contacts', run: benchWebClient },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}: ${bench.about}`);
  const started = performance.now();
  try {
    console.table(await bench.run());
  } catch (error) {
    failed = true;
    console.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
