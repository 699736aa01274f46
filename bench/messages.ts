// `npm run bench messages`: 1:1 messages between online users, in one harness, on Switchboard over SQLite,
// Switchboard over PostgreSQL and Prosody 0.12 (mod_offline on): send-to-receive latency (p50, p99) at
// stepped rates, acknowledged-but-lost, duplicates, server CPU, the highest rate with p99 under 100 ms;
// and, for Switchboard, one device coming back to 10,000 stored messages. Last, the socket.io floor: the
// same devices against a server that only passes the packets on, to show what the transport alone costs.
// The clients run in BENCH_LOAD_PROCESSES (2) processes of their own, the same for every system.
// The server under test has CPU 0 to itself, the benchmark the other cores (support/cpu-pinning.ts).
// Knobs: BENCH_MESSAGE_USERS (2000), BENCH_RATES (250,500,1000,1250,1500,2000,2500,3000,4000,5000,6000,8000), BENCH_STEP_SECONDS (3),
// BENCH_BACKLOG (10000), BENCH_SYSTEMS (sqlite,postgres,prosody,floor), BENCH_PIN (1; 0 shares every core).
import os from 'node:os';
import pg from 'pg';
import { createPostgresSchema } from '#test/support/test-server.js';
import { postgresAvailable, postgresUrl } from '#test/support/services.js';
import { CpuPinning } from './support/cpu-pinning.js';
import { LoadProcesses } from './support/load-processes.js';
import { BenchDevice } from './support/message-clients.js';
import { startProsodySystem, startSocketioFloor, startSwitchboard, type MessageSystem } from './support/message-servers.js';
import { prosodyInstalled } from './support/prosody.js';
import { cpuMs, percentile, round, sleep, threadCpuMs } from './support/stats.js';

const users = Number(process.env.BENCH_MESSAGE_USERS ?? 2000);
const rates = (process.env.BENCH_RATES ?? '250,500,1000,1250,1500,2000,2500,3000,4000,5000,6000,8000').split(',').map(Number);
const stepSeconds = Number(process.env.BENCH_STEP_SECONDS ?? 3);
const backlogSize = Number(process.env.BENCH_BACKLOG ?? 10_000);
const systems = (process.env.BENCH_SYSTEMS ?? 'sqlite,postgres,prosody,floor').split(',');
const backlogSenders = 100;
const pinning = CpuPinning.fromEnvironment();

type Step = {
  rate: number;
  sent: number;
  acked: number;
  p50: number;
  p99: number;
  lost: number;
  duplicates: number;
  serverCpu: number;
  serverCpuMsPerMessage: number;
  /** Of that, the database's processes (PostgreSQL's backends; none for SQLite, which runs in the server). */
  databaseCpuMsPerMessage: number;
  /** Of that, the server's main thread, the one that serves every socket (SQLite's writer has a thread of its own). */
  socketThreadCpuMsPerMessage: number;
  clientCpu: number;
  /** What one message costs the benchmark's own clients (sender and receiver, both sides of every packet). */
  clientCpuMsPerMessage: number;
};

/** CPU time so far of each process that is still there. */
function cpuOf(pids: number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      times.set(pid, cpuMs(pid));
    } catch {
      // A database backend that closed: its time is gone.
    }
  }
  return times;
}

/**
 * CPU spent between two readings: per process, so that a database backend closing during the step takes
 * its time out of neither side, and one opened during it counts whole.
 */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/**
 * One rate for `stepSeconds` (or until `limit` messages went), sent by the load processes: user i sends
 * to user i + users/2, so every conversation carries both ways.
 */
async function runStep(system: MessageSystem, load: LoadProcesses, rate: number, limit = Infinity): Promise<Step> {
  const pids = await system.serverPids();
  const serverBefore = cpuOf(pids);
  const socketThread = (): number => (pids[0] === undefined ? 0 : threadCpuMs(pids[0]));
  const socketThreadBefore = socketThread();
  const begin = performance.now();
  const step = await load.step(rate, stepSeconds, limit);
  const elapsed = performance.now() - begin;
  const serverAfter = cpuOf(await system.serverPids());
  const socketThreadMs = socketThread() - socketThreadBefore;
  const serverCpuMs = cpuBetween(serverBefore, serverAfter);
  // The first process is the server itself; the rest are its database's.
  const serverOnly = pids[0];
  const databaseCpuMs = serverCpuMs - (serverOnly === undefined ? 0 : (serverAfter.get(serverOnly) ?? 0) - (serverBefore.get(serverOnly) ?? 0));
  const { sent } = step;
  return {
    rate,
    sent,
    acked: step.acked,
    p50: round(percentile(step.latencies, 50)),
    p99: round(percentile(step.latencies, 99)),
    lost: step.lost,
    duplicates: step.duplicates,
    serverCpu: round((serverCpuMs / elapsed) * 100),
    // What one message costs the server, acknowledgements included: a figure a busy machine changes little.
    serverCpuMsPerMessage: round(serverCpuMs / Math.max(1, sent), 2),
    databaseCpuMsPerMessage: round(databaseCpuMs / Math.max(1, sent), 2),
    socketThreadCpuMsPerMessage: round(socketThreadMs / Math.max(1, sent), 2),
    clientCpu: round((step.clientCpuMs / elapsed) * 100),
    clientCpuMsPerMessage: round(step.clientCpuMs / Math.max(1, sent), 2),
  };
}

/**
 * Steps the rate up until the system is saturated (the median reaches 100 ms) or a message is lost or
 * doubled; the highest rate is the highest step whose p99 stayed under 100 ms. One pause of the server
 * (a collection, a checkpoint) in a step's 3 s pushes its p99 over, so a step may fail below one that
 * passes: both systems are held to the same rule, and every step is printed.
 */
async function sweep(driver: MessageSystem, out: Record<string, string | number>): Promise<void> {
  const [serverPid] = await driver.serverPids();
  if (serverPid !== undefined) pinning.server(serverPid);
  const connecting = performance.now();
  const load = await LoadProcesses.start(driver.target, driver.users);
  console.error(`${driver.name}: ${driver.users} users online in ${Math.round(performance.now() - connecting)} ms`);
  try {
    // Steady state: every pair has talked before, as in a messenger in daily use. The first message of a
    // conversation creates it (a few more statements) and is measured here on its own, at a gentle rate.
    const opening = await runStep(driver, load, 500, driver.users);
    console.error(`${driver.name} first messages: ${JSON.stringify(opening)}`);
    out[`${driver.name} first message of ${opening.sent} conversations p50 / p99 ms`] = `${opening.p50} / ${opening.p99}`;
    out[`${driver.name} first message server CPU ms`] = opening.serverCpuMsPerMessage;
    let highest = 0;
    for (const rate of rates) {
      // The previous step's acknowledgements and receipts settle first, so a step measures only its own rate.
      await sleep(2000);
      const step = await runStep(driver, load, rate);
      console.error(`${driver.name}: ${JSON.stringify(step)}`);
      out[`${driver.name} @${rate}/s p50 / p99 ms`] = `${step.p50} / ${step.p99}`;
      out[`${driver.name} @${rate}/s sent / acked / lost / dup`] = `${step.sent} / ${step.acked} / ${step.lost} / ${step.duplicates}`;
      out[`${driver.name} @${rate}/s server / bench CPU %`] = `${step.serverCpu} / ${step.clientCpu}`;
      out[`${driver.name} @${rate}/s CPU ms per message: server (socket thread; database) / bench`] =
        `${step.serverCpuMsPerMessage} (${step.socketThreadCpuMsPerMessage}; ${step.databaseCpuMsPerMessage}) / ${step.clientCpuMsPerMessage}`;
      const intact = step.lost === 0 && step.duplicates === 0 && step.acked === step.sent;
      if (step.p99 < 100 && intact) highest = rate;
      if (!intact || step.p50 >= 100) break;
    }
    out[`${driver.name} highest rate with p99 < 100 ms (msg/s)`] = highest;
  } finally {
    await load.close();
  }
}

/** 100 senders store `backlogSize` messages for an offline user; then its device connects: time until all arrived. */
async function backlog(driver: Awaited<ReturnType<typeof startSwitchboard>>, out: Record<string, string | number>): Promise<void> {
  const [receiver, ...senders] = driver.spareAccounts;
  if (!receiver) return;
  const senderDevices = await Promise.all(senders.map((account) => BenchDevice.open(driver.url, account.token)));
  let stored = 0;
  await Promise.all(
    senderDevices.map(async (device) => {
      for (let i = 0; i < backlogSize / senderDevices.length; i += 1) if (await device.send(receiver.phone, `b${i}`, undefined, 20)) stored += 1;
    }),
  );
  const ids = new Map<string, number>();
  const started = performance.now();
  const back = await BenchDevice.open(driver.url, receiver.token, (message) => void ids.set(message.id, (ids.get(message.id) ?? 0) + 1));
  while (ids.size < stored && performance.now() - started < 60_000) await sleep(5);
  const took = performance.now() - started;
  await sleep(500);
  out[`${driver.name} backlog: stored / received / dup`] = `${stored} / ${ids.size} / ${[...ids.values()].filter((n) => n > 1).length}`;
  out[`${driver.name} backlog ms until all received`] = round(took);
  back.close();
  for (const device of senderDevices) device.close();
}

/** The PostgreSQL backends serving one application name: their CPU is the database's share of the work. */
function backendsOf(applicationName: string): () => Promise<number[]> {
  return async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [applicationName]);
      return rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  };
}

async function benchSwitchboard(name: string, env: Record<string, string>, databasePids: () => Promise<number[]>, out: Record<string, string | number>): Promise<void> {
  const driver = await startSwitchboard(name, users, backlogSenders + 1, env, databasePids);
  try {
    await sweep(driver, out);
    await backlog(driver, out);
  } finally {
    await driver.stop();
  }
}

export async function benchMessages(): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {
    setup: `${users} online users, ${stepSeconds} s per rate, receivers acknowledge every 20 ms`,
    // Other work on the machine shares the cores with the server and the clients: say how busy it was.
    'load average at start (1 min)': round(os.loadavg()[0] ?? 0),
    cores: pinning.description,
  };
  pinning.loadSide();
  try {
    await benchEachSystem(out);
  } finally {
    pinning.release();
  }
  out['load average at end (1 min)'] = round(os.loadavg()[0] ?? 0);
  return out;
}

async function benchEachSystem(out: Record<string, string | number>): Promise<void> {
  if (systems.includes('sqlite')) await benchSwitchboard('Switchboard/SQLite', {}, async () => [], out);
  if (systems.includes('postgres')) {
    if (await postgresAvailable()) {
      const schema = await createPostgresSchema();
      const applicationName = `sb_bench_${process.pid}`;
      try {
        await benchSwitchboard('Switchboard/PostgreSQL', { DATABASE_URL: `${schema.databaseUrl}&application_name=${applicationName}` }, backendsOf(applicationName), out);
      } finally {
        await schema.drop();
      }
    } else out['Switchboard/PostgreSQL'] = 'not run: no PostgreSQL';
  }
  if (systems.includes('prosody')) {
    if (prosodyInstalled()) {
      const driver = await startProsodySystem(users);
      try {
        await sweep(driver, out);
      } finally {
        await driver.stop();
      }
    } else out['Prosody 0.12'] = 'not run: prosody is not installed (apt-get install prosody)';
  }
  if (systems.includes('floor')) {
    const driver = await startSocketioFloor(users);
    try {
      await sweep(driver, out);
    } finally {
      await driver.stop();
    }
  }
}
