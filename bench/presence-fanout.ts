import { client as xmppClient, xml, type XmppClient } from '@xmpp/client';
import { io as connect, type Socket } from 'socket.io-client';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { prosodyDomain, prosodyInstalled, startProsody } from './support/prosody.js';
import { benchPhones, signUpMany, startBenchServer } from './support/switchboard.js';
import { cpuMs, percentile, round, sleep } from './support/stats.js';

/** The same contact graph for both systems: cliques of `cliqueSize`, so each change has cliqueSize - 1 watchers. */
const cliqueSize = Number(process.env.BENCH_CLIQUE ?? 51);
const cliques = Number(process.env.BENCH_CLIQUES ?? 20);
const stepSeconds = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const rates = (process.env.BENCH_RATES ?? '250,375,500,750,1000,1500,2000,3000').split(',').map(Number);

type Driver = {
  name: string;
  users: number;
  /** Makes user `index` announce `marker` to its watchers. */
  change(index: number, marker: string): void;
  onDelivery(listener: (receiver: number, marker: string) => void): void;
  serverPid: number;
  stop(): Promise<void>;
};

type StepResult = { rate: number; sent: number; expected: number; delivered: number; lost: number; p50: number; p99: number; serverCpu: number; clientCpu: number };

async function runStep(driver: Driver, rate: number): Promise<StepResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let seq = 0;
  const prefix = `r${rate}x`;
  driver.onDelivery((_receiver, marker) => {
    const started = sentAt.get(marker);
    if (started === undefined) return;
    delivered += 1;
    latencies.push(performance.now() - started);
  });
  const cpuBefore = cpuMs(driver.serverPid);
  const clientBefore = process.cpuUsage();
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  let budget = 0;
  const begin = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      budget += perTick;
      while (budget >= 1) {
        budget -= 1;
        const marker = `${prefix}${seq}`;
        sentAt.set(marker, performance.now());
        driver.change(seq % driver.users, marker);
        seq += 1;
      }
      if (performance.now() - begin >= stepSeconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  await sleep(2000);
  const elapsed = performance.now() - begin;
  const serverCpu = ((cpuMs(driver.serverPid) - cpuBefore) / elapsed) * 100;
  const clientUsage = process.cpuUsage(clientBefore);
  const clientCpu = ((clientUsage.user + clientUsage.system) / 1000 / elapsed) * 100;
  const expected = seq * (cliqueSize - 1);
  return { rate, sent: seq, expected, delivered, lost: expected - delivered, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), serverCpu: round(serverCpu), clientCpu: round(clientCpu) };
}

async function switchboardDriver(): Promise<Driver> {
  const server = await startBenchServer({ PRESENCE_GRACE_MS: '60000' });
  const total = cliqueSize * cliques;
  const phones = benchPhones(total, '135');
  const accounts = await signUpMany(server.url, phones);
  const api = new SwitchboardClient({ baseUrl: server.url, timeoutMs: 60_000 });
  for (let c = 0; c < cliques; c += 1) {
    const members = accounts.slice(c * cliqueSize, (c + 1) * cliqueSize);
    await Promise.all(
      members.map((member) =>
        api.withToken(member.token).call(routes.replaceAddressBook, {
          body: { entries: members.filter((other) => other !== member).map((other) => ({ ref: other.userId, phones: [other.phone] })) },
        }),
      ),
    );
  }
  const userIndex = new Map(accounts.map((account, index) => [account.userId, index]));
  const listeners: ((receiver: number, marker: string) => void)[] = [];
  const sockets: Socket[] = [];
  for (let start = 0; start < accounts.length; start += 200) {
    await Promise.all(
      accounts.slice(start, start + 200).map((account, offset) => {
        const receiver = start + offset;
        const socket = connect(server.url, { auth: { token: account.token }, transports: ['websocket'], reconnection: false, forceNew: true });
        sockets[receiver] = socket;
        socket.on('presence', (event: PresenceEvent) => {
          if (userIndex.get(event.userId) === receiver) return;
          const marker = event.apps[0]?.plugin;
          if (marker) for (const listener of listeners) listener(receiver, marker);
        });
        return new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
      }),
    );
  }
  await sleep(2000);
  return {
    name: 'Switchboard (socket.io)',
    users: total,
    serverPid: server.child.pid as number,
    change: (index, marker) => sockets[index]?.emit('presence:set', { apps: [marker] }, () => undefined),
    onDelivery: (listener) => {
      listeners.length = 0;
      listeners.push(listener);
    },
    async stop() {
      for (const socket of sockets) socket.disconnect();
      await server.kill('SIGTERM');
    },
  };
}

async function prosodyDriver(): Promise<Driver> {
  const total = cliqueSize * cliques;
  const names = Array.from({ length: total }, (_, i) => `u${i}`);
  const groups = Array.from({ length: cliques }, (_, c) => names.slice(c * cliqueSize, (c + 1) * cliqueSize));
  const prosody = await startProsody(names, groups);
  const listeners: ((receiver: number, marker: string) => void)[] = [];
  const clients: XmppClient[] = [];
  for (let start = 0; start < total; start += 100) {
    await Promise.all(
      names.slice(start, start + 100).map(async (name, offset) => {
        const receiver = start + offset;
        const xmpp = xmppClient({ service: `xmpp://127.0.0.1:${prosody.port}`, domain: prosodyDomain, username: name, password: 'pw', resource: 'bench' });
        xmpp.on('error', () => undefined);
        xmpp.on('stanza', (stanza) => {
          if (!stanza.is('presence')) return;
          if ((stanza.attrs.from ?? '').startsWith(`${name}@`)) return;
          const marker = stanza.getChildText('status');
          if (marker) for (const listener of listeners) listener(receiver, marker);
        });
        await xmpp.start();
        await xmpp.send(xml('presence'));
        clients[receiver] = xmpp;
      }),
    );
  }
  await sleep(3000);
  return {
    name: 'Prosody 0.12 (XMPP)',
    users: total,
    serverPid: prosody.pid,
    change: (index, marker) => void clients[index]?.send(xml('presence', {}, xml('status', {}, marker))).catch(() => undefined),
    onDelivery: (listener) => {
      listeners.length = 0;
      listeners.push(listener);
    },
    async stop() {
      await Promise.all(clients.map((xmpp) => xmpp.stop().catch(() => undefined)));
      await prosody.stop();
    },
  };
}

/** Steps the change rate up until p99 passes 100 ms or deliveries are lost. */
async function sweep(driver: Driver): Promise<{ steps: StepResult[]; highest: number }> {
  const steps: StepResult[] = [];
  let highest = 0;
  for (const rate of rates) {
    const step = await runStep(driver, rate);
    steps.push(step);
    console.error(`${driver.name}: ${JSON.stringify(step)}`);
    if (step.p99 < 100 && step.lost === 0) highest = rate;
    else break;
  }
  return { steps, highest };
}

/** Fan-out latency and loss at stated loads, side by side with Prosody on the same graph and rates. */
export async function benchPresenceFanout(): Promise<Record<string, string | number>> {
  const results: Record<string, string | number> = {
    graph: `${cliques} cliques of ${cliqueSize} users (${cliqueSize - 1} watchers per change), ${stepSeconds} s per rate`,
  };
  const ours = await switchboardDriver();
  let oursSweep;
  try {
    oursSweep = await sweep(ours);
  } finally {
    await ours.stop();
  }
  const at1000 = oursSweep.steps.find((step) => step.rate === 1000);
  if (at1000) {
    results['switchboard @1000/s p50 (ms)'] = at1000.p50;
    results['switchboard @1000/s p99 (ms)'] = at1000.p99;
    results['switchboard @1000/s lost'] = at1000.lost;
    results['switchboard @1000/s server CPU (%)'] = at1000.serverCpu;
  }
  results['switchboard highest rate with p99 < 100 ms (changes/s)'] = oursSweep.highest;
  if (!prosodyInstalled()) {
    results.prosody = 'not installed (apt-get install prosody): no side-by-side figure';
    return results;
  }
  const peer = await prosodyDriver();
  let peerSweep;
  try {
    peerSweep = await sweep(peer);
  } finally {
    await peer.stop();
  }
  const peerAt1000 = peerSweep.steps.find((step) => step.rate === 1000);
  if (peerAt1000) {
    results['prosody @1000/s p50 (ms)'] = peerAt1000.p50;
    results['prosody @1000/s p99 (ms)'] = peerAt1000.p99;
    results['prosody @1000/s lost'] = peerAt1000.lost;
    results['prosody @1000/s server CPU (%)'] = peerAt1000.serverCpu;
  }
  results['prosody highest rate with p99 < 100 ms (changes/s)'] = peerSweep.highest;
  results['ratio (switchboard / prosody)'] = peerSweep.highest > 0 ? round(oursSweep.highest / peerSweep.highest, 2) : 'prosody held no tested rate';
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchPresenceFanout());
  process.exit(0);
}
