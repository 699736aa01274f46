// `npm run bench messages`: 1:1 messages between online users over the real server process, on SQLite and
// on PostgreSQL: send-to-receive latency, acknowledged-but-lost, duplicates, server CPU, the highest rate
// with p99 under 100 ms; and one device coming back to 10,000 stored messages.
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { parseMessageSendAck, type ChatMessage } from '#common/contract/messages.js';
import { createPostgresSchema } from '#test/support/test-server.js';
import { postgresAvailable, postgresUrl } from '#test/support/services.js';
import { benchPhones, signUpMany, startBenchServer } from './support/switchboard.js';
import { cpuMs, percentile, round, sleep } from './support/stats.js';

const users = Number(process.env.BENCH_MESSAGE_USERS ?? 400);
const stepSeconds = 3;
const rates = [250, 500, 1000, 2000];
const backlogSize = 10_000;

type Device = { socket: Socket; received: Map<string, number>; onMessage?: (message: ChatMessage) => void };

function open(url: string, token: string): Promise<Device> {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const device: Device = { socket, received: new Map() };
  socket.on('message', (message: ChatMessage) => {
    device.received.set(message.id, (device.received.get(message.id) ?? 0) + 1);
    device.onMessage?.(message);
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(device));
    socket.once('connect_error', reject);
  });
}

async function send(device: Device, phone: string, text: string): Promise<ChatMessage | undefined> {
  const answer = parseMessageSendAck(await device.socket.timeout(10_000).emitWithAck('message:send', { clientId: randomUUID(), to: { phone }, body: { text } }));
  return 'ok' in answer ? answer.message : undefined;
}

async function runBackend(name: string, env: Record<string, string>): Promise<Record<string, string | number>> {
  const server = await startBenchServer({ MESSAGES_PER_SENDER_PER_MINUTE: '1000000', MESSAGE_CATCHUP_MS: '3600000', ...env });
  try {
    const accounts = await signUpMany(server.url, benchPhones(users + 21, name === 'sqlite' ? '136' : '137'));
    const online = accounts.slice(0, users);
    const devices: Device[] = [];
    for (let start = 0; start < online.length; start += 200) devices.push(...(await Promise.all(online.slice(start, start + 200).map((a) => open(server.url, a.token)))));
    const result: Record<string, string | number> = { users };
    let highest = 0;
    for (const rate of rates) {
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      const acked = new Map<string, number>();
      for (const device of devices) {
        device.received.clear();
        device.onMessage = (message) => {
          const started = sentAt.get(message.clientId);
          if (started !== undefined && message.from.userId !== online[devices.indexOf(device)]?.userId) latencies.push(performance.now() - started);
        };
      }
      const cpuBefore = cpuMs(server.child.pid as number);
      const begin = performance.now();
      let sent = 0;
      const pending: Promise<void>[] = [];
      while (performance.now() - begin < stepSeconds * 1000) {
        const due = Math.floor(((performance.now() - begin) / 1000) * rate);
        for (; sent < due; sent += 1) {
          const from = sent % users;
          const to = (from + users / 2) % users;
          const clientId = randomUUID();
          sentAt.set(clientId, performance.now());
          pending.push(
            parseAckOf(devices[from]!, clientId, online[to]!.phone).then((id) => {
              if (id) acked.set(id, to);
            }),
          );
        }
        await sleep(5);
      }
      await Promise.all(pending);
      await sleep(1500);
      const elapsed = performance.now() - begin;
      const lost = [...acked].filter(([id, to]) => !devices[to]!.received.has(id)).length;
      const duplicates = devices.reduce((sum, device) => sum + [...device.received.values()].filter((count) => count > 1).length, 0);
      const p99 = round(percentile(latencies, 99));
      result[`${rate}/s p50 ms`] = round(percentile(latencies, 50));
      result[`${rate}/s p99 ms`] = p99;
      result[`${rate}/s acked lost`] = lost;
      result[`${rate}/s duplicates`] = duplicates;
      result[`${rate}/s server CPU %`] = round(((cpuMs(server.child.pid as number) - cpuBefore) / elapsed) * 100);
      if (p99 < 100 && lost === 0) highest = rate;
      else break;
    }
    result['highest rate at p99 < 100 ms'] = highest;
    for (const device of devices) device.socket.disconnect();

    // A device comes back to 10,000 stored messages from 20 senders.
    const [receiver, ...senders] = accounts.slice(users);
    const senderDevices = await Promise.all(senders.map((a) => open(server.url, a.token)));
    let stored = 0;
    await Promise.all(
      senderDevices.map(async (device) => {
        for (let i = 0; i < backlogSize / senderDevices.length; i += 1) if (await send(device, receiver!.phone, `b${i}`)) stored += 1;
      }),
    );
    const started = performance.now();
    const back = await open(server.url, receiver!.token);
    while (back.received.size < stored && performance.now() - started < 60_000) await sleep(5);
    result['backlog stored'] = stored;
    result['backlog received'] = back.received.size;
    result['backlog ms until all received'] = round(performance.now() - started);
    back.socket.disconnect();
    for (const device of senderDevices) device.socket.disconnect();
    return result;
  } finally {
    await server.kill('SIGTERM');
  }
}

async function parseAckOf(device: Device, clientId: string, phone: string): Promise<string | undefined> {
  try {
    const answer = parseMessageSendAck(await device.socket.timeout(10_000).emitWithAck('message:send', { clientId, to: { phone }, body: { text: 'x'.repeat(200) } }));
    return 'ok' in answer ? answer.message?.id : undefined;
  } catch {
    return undefined;
  }
}

export async function benchMessages(): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(await runBackend('sqlite', {}))) out[`sqlite ${key}`] = value;
  if (await postgresAvailable()) {
    const schema = await createPostgresSchema();
    try {
      const searchPath = (schema.storage as { searchPath: string }).searchPath;
      const env = { DATABASE_URL: `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${searchPath}`)}` };
      for (const [key, value] of Object.entries(await runBackend('postgres', env))) out[`postgres ${key}`] = value;
    } finally {
      await schema.drop();
    }
  }
  out['prosody'] = 'not run (see README)';
  return out;
}
