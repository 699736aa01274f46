import { io as connect, type Socket } from 'socket.io-client';
import { benchPhones, signUpMany, startBenchServer } from './support/switchboard.js';
import { round, rssKiB, sleep } from './support/stats.js';

const connectionCount = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const users = 100;

async function openConnections(url: string, tokens: string[], count: number, into: Socket[]): Promise<void> {
  const batch = 250;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    await Promise.all(
      Array.from({ length: size }, (_, i) => {
        const socket = connect(url, { auth: { token: tokens[(start + i) % tokens.length] }, transports: ['websocket'], reconnection: false, forceNew: true });
        into.push(socket);
        return new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
      }),
    );
  }
}

/** Resident memory of the server per idle, authenticated socket.io connection. */
export async function benchPresenceMemory(): Promise<Record<string, string | number>> {
  const server = await startBenchServer();
  const sockets: Socket[] = [];
  try {
    const accounts = await signUpMany(server.url, benchPhones(users, '137'));
    const tokens = accounts.map((account) => account.token);
    // Warm up first, so one-time costs (code, caches, first allocations) are not charged to connections.
    await openConnections(server.url, tokens, 200, sockets);
    await sleep(2000);
    const before = rssKiB(server.child.pid as number);
    await openConnections(server.url, tokens, connectionCount, sockets);
    await sleep(5000);
    const after = rssKiB(server.child.pid as number);
    const perConnection = ((after - before) * 1024) / connectionCount;
    return {
      'idle connections': connectionCount,
      'server RSS before (MiB)': round(before / 1024),
      'server RSS after (MiB)': round(after / 1024),
      'RSS per idle connection (KiB)': round(perConnection / 1024, 2),
      'goal (KiB)': 16,
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await server.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchPresenceMemory());
  process.exit(0);
}
