// One load process of the message benchmark (started by LoadProcesses): it puts its share of the users
// online, then on each step sends its share of the rate and reports what arrived. The clients of one
// system are spread over several processes because a single one saturated first: at 4,000 messages a
// second its event loop ran at 90 % of a core, and its own queueing showed up as the server's latency.
import { clientsFor, type LoadTarget, type MessageClients } from './message-clients.js';

export type LoadCommand =
  | { type: 'open'; target: LoadTarget; mine: number[]; users: number }
  | { type: 'step'; rate: number; limit: number; seconds: number; prefix: string }
  | { type: 'close' };

export type LoadReport =
  | { type: 'ready' }
  | { type: 'failed'; reason: string }
  | { type: 'stepped'; sent: number; acked: number; lost: number; duplicates: number; latencies: number[]; cpuMs: number };

let clients: MessageClients | undefined;
let mine: number[] = [];
let users = 0;

const report = (message: LoadReport) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `rate` a second for `seconds` (or, given a `limit` short of MAX_SAFE_INTEGER, until `limit` went): the k-th message goes from user mine[k]
 * to that user's partner, half the users further on, who is in this process too.
 */
async function step(rate: number, limit: number, seconds: number, prefix: string): Promise<LoadReport> {
  const active = clients as MessageClients;
  const sentAt = new Map<string, number>();
  const ackedTo = new Map<string, number>();
  const seen = new Map<string, Map<string, number>>(); // marker -> identity -> times received
  const latencies: number[] = [];
  active.onReceive((_receiver, marker, identity) => {
    const started = sentAt.get(marker);
    if (started === undefined) return;
    const copies = seen.get(marker) ?? new Map<string, number>();
    seen.set(marker, copies);
    copies.set(identity, (copies.get(identity) ?? 0) + 1);
    if (copies.get(identity) === 1) latencies.push(performance.now() - started);
  });
  const cpuBefore = process.cpuUsage();
  const pending: Promise<void>[] = [];
  let sent = 0;
  const begin = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Paced by the clock, not by the ticks: a late timer sends what is due, so the rate is the rate asked for.
      const due = Math.min(limit, Math.floor(((performance.now() - begin) / 1000) * rate));
      while (sent < due) {
        const from = mine[sent % mine.length] as number;
        const to = (from + Math.floor(users / 2)) % users;
        const marker = `${prefix}${sent}`;
        sentAt.set(marker, performance.now());
        pending.push(active.send(from, to, marker).then((acked) => void (acked && ackedTo.set(marker, to))));
        sent += 1;
      }
      // A step with a limit runs until it is sent; one without, for its seconds.
      if (sent >= limit || (limit === Number.MAX_SAFE_INTEGER && performance.now() - begin >= seconds * 1000)) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await Promise.all(pending);
  // Whatever was acknowledged gets a little longer to arrive before it counts as lost.
  for (let waited = 0; waited < 3000 && [...ackedTo.keys()].some((marker) => !seen.has(marker)); waited += 50) await sleep(50);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    type: 'stepped',
    sent,
    acked: ackedTo.size,
    lost: [...ackedTo.keys()].filter((marker) => !seen.has(marker)).length,
    duplicates: [...seen.values()].reduce((sum, copies) => sum + [...copies.values()].reduce((n, times) => n + times - 1, 0) + copies.size - 1, 0),
    latencies,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (command: LoadCommand) => {
  const run = async (): Promise<LoadReport | undefined> => {
    if (command.type === 'open') {
      mine = command.mine;
      users = command.users;
      clients = await clientsFor(command.target, mine);
      return { type: 'ready' };
    }
    if (command.type === 'step') return step(command.rate, command.limit, command.seconds, command.prefix);
    await clients?.close();
    process.exit(0);
  };
  run().then(
    (answer) => answer && report(answer),
    (error: unknown) => report({ type: 'failed', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
