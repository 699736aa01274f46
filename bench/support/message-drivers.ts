import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { client as xmppClient, xml, type XmppClient } from '@xmpp/client';
import { io as connect, type Socket } from 'socket.io-client';
import { parseMessageSendAck, type ChatMessage } from '#common/contract/messages.js';
import { HeldMessages } from '#test/support/held-messages.js';
import { prosodyDomain, startProsody } from './prosody.js';
import { benchPhones, signUpMany, startBenchServer } from './switchboard.js';
import { sleep } from './stats.js';

/** One system under test, driven the same way: user `from` sends to user `to`, receivers report what arrived. */
export type MessageDriver = {
  name: string;
  users: number;
  /** Processes whose CPU counts as the server's (read at each step: a database pool may open backends late). */
  serverPids(): Promise<number[]>;
  /** Answers whether the server acknowledged the message (Switchboard: the send's ack; XMPP: XEP-0198 `<a/>`). */
  send(from: number, to: number, marker: string): Promise<boolean>;
  /** `identity` is what the server made of the message (its id), to tell a duplicate from a second message. */
  onReceive(listener: (receiver: number, marker: string, identity: string) => void): void;
  stop(): Promise<void>;
};

type Account = { token: string; userId: string; phone: string };

/**
 * A device as a real client runs one: it acknowledges, every 20 ms, the highest seq per conversation
 * it holds without a gap (so a message still in the backlog is never skipped).
 */
export class BenchDevice {
  onMessage: ((message: ChatMessage) => void) | undefined;
  private readonly held = new HeldMessages();
  private readonly ackDue = new Map<string, number>();
  private ackTimer: NodeJS.Timeout | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('message', (message: ChatMessage) => {
      this.onMessage?.(message);
      this.scheduleAck(message);
    });
  }

  static async open(url: string, token: string, onMessage?: (message: ChatMessage) => void): Promise<BenchDevice> {
    // On a busy machine a handshake may time out: try again, as a real client would.
    for (let attempt = 1; ; attempt += 1) {
      // As the apps do: its own messages come from the send's answer, not back from the server.
      const socket = connect(url, { auth: { token, ownEcho: false }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
      // Listening before the handshake: the server replays stored messages right after it.
      const device = new BenchDevice(socket);
      device.onMessage = onMessage;
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return device;
      } catch (error) {
        socket.disconnect();
        if (attempt === 5) throw error;
      }
    }
  }

  /** Sends until the server answers (a refusal for pace is retried with the same clientId); the stored message or undefined. */
  async send(phone: string, text: string, clientId = randomUUID(), attempts = 1): Promise<ChatMessage | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const answer = parseMessageSendAck(await this.socket.timeout(10_000).emitWithAck('message:send', { clientId, to: { phone }, body: { text } }));
        if ('ok' in answer) {
          // The sending connection is not sent its own message again: the answer is its copy.
          if (answer.message !== undefined) this.hold(answer.message);
          return answer.message;
        }
        if (attempt >= attempts || answer.error.code !== 'rate_limited') return undefined;
      } catch {
        if (attempt >= attempts) return undefined;
      }
      await sleep(50);
    }
  }

  close(): void {
    clearTimeout(this.ackTimer);
    this.socket.disconnect();
  }

  /** Counts a message as held here (no gap before the next); the highest run held so far. */
  private hold(message: ChatMessage): number {
    return this.held.hold(message);
  }

  /** A message that arrived: acknowledged with the next batch, up to the run held without a gap. */
  private scheduleAck(message: ChatMessage): void {
    const upTo = this.hold(message);
    if (upTo < 1) return;
    this.ackDue.set(message.conversationId, upTo);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      // As the apps do: no answer asked for (the next acknowledgement covers a lost one).
      for (const [conversationId, upTo] of this.ackDue) this.socket.emit('message:ack', { conversationId, upTo });
      this.ackDue.clear();
    }, 20);
  }
}

/** Opens devices 100 at a time (a burst of thousands of handshakes only measures the accept queue). */
export async function openDevices(url: string, accounts: Account[]): Promise<BenchDevice[]> {
  const devices: BenchDevice[] = [];
  for (let start = 0; start < accounts.length; start += 100) devices.push(...(await Promise.all(accounts.slice(start, start + 100).map((a) => BenchDevice.open(url, a.token)))));
  return devices;
}

/** The Switchboard server process with `users` online devices, and `spare` further accounts left offline. */
export async function switchboardDriver(
  name: string,
  users: number,
  spare: number,
  env: Record<string, string>,
  databasePids: () => Promise<number[]>,
): Promise<MessageDriver & { url: string; spareAccounts: Account[] }> {
  const server = await startBenchServer({ MESSAGES_PER_SENDER_PER_MINUTE: '1000000', MESSAGE_CATCHUP_MS: '3600000', ...env });
  try {
    const accounts = await signUpMany(server.url, benchPhones(users + spare, name.includes('PostgreSQL') ? '137' : '136'), 32);
    const driver = await devicesDriver(name, server.url, accounts.slice(0, users), async () => [server.child.pid as number, ...(await databasePids())], () => server.kill('SIGTERM'));
    return { ...driver, url: server.url, spareAccounts: accounts.slice(users) };
  } catch (error) {
    await server.kill('SIGTERM');
    throw error;
  }
}

/**
 * The socket.io floor (socketio-floor-server.ts): the same devices and packets against a server that only
 * passes them on, so the figures show what the transport alone costs on this machine.
 */
export async function socketioFloorDriver(users: number): Promise<MessageDriver> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./socketio-floor-server.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let printed = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const match = /floor server on (\S+)/.exec(printed);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
    });
    const accounts = benchPhones(users, '138').map((phone, index) => ({ token: `floor-${index}`, userId: `user-${index}`, phone }));
    return await devicesDriver('socket.io floor (no storage, no checks)', url, accounts, async () => [child.pid as number], stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Online devices of `online` accounts on a server that speaks the contract's message events. */
async function devicesDriver(name: string, url: string, online: Account[], serverPids: () => Promise<number[]>, stopServer: () => Promise<void>): Promise<MessageDriver> {
  const connecting = performance.now();
  const devices = await openDevices(url, online);
  console.error(`${name}: ${online.length} devices connected in ${Math.round(performance.now() - connecting)} ms`);
  const listeners: ((receiver: number, marker: string, identity: string) => void)[] = [];
  devices.forEach((device, receiver) => {
    const self = online[receiver]?.userId;
    device.onMessage = (message) => {
      if (message.from.userId === self) return;
      const marker = 'text' in message.body ? message.body.text.slice(0, message.body.text.indexOf(' ')) : '';
      for (const listener of listeners) listener(receiver, marker, message.id);
    };
  });
  return {
    name,
    users: online.length,
    serverPids,
    send: async (from, to, marker) => (await devices[from]!.send(online[to]!.phone, `${marker} ${'x'.repeat(160)}`)) !== undefined,
    onReceive(listener) {
      listeners.length = 0;
      listeners.push(listener);
    },
    async stop() {
      for (const device of devices) device.close();
      await stopServer();
    },
  };
}

/**
 * Prosody with its offline store (mod_offline) on and XEP-0198 stream management, whose `<a/>` is the
 * XMPP way for a server to acknowledge what it took; `<message type="chat">` between online users.
 */
export async function prosodyDriver(users: number): Promise<MessageDriver> {
  const names = Array.from({ length: users }, (_, i) => `u${i}`);
  const prosody = await startProsody(names, [], { modules: (process.env.BENCH_PROSODY_MODULES ?? 'offline,smacks').split(',') });
  const listeners: ((receiver: number, marker: string, identity: string) => void)[] = [];
  const clients: XmppClient[] = [];
  const waiting = new Map<string, (acked: boolean) => void>();
  try {
    const open = async (receiver: number): Promise<XmppClient> => {
      const name = names[receiver]!;
      const xmpp = xmppClient({
        service: `xmpp://127.0.0.1:${prosody.port}`,
        domain: prosodyDomain,
        resource: 'bench',
        // PLAIN over loopback: SCRAM's 4,096 rounds of PBKDF2 in the client's JavaScript took 37 s for 50
        // sign-ins, and this benchmark measures messages, not logins.
        credentials: (authenticate) => authenticate({ username: name, password: 'pw' }, 'PLAIN'),
      });
      xmpp.on('error', () => undefined);
      xmpp.on('stanza', (stanza) => {
        if (!stanza.is('message') || stanza.attrs.type !== 'chat') return;
        const marker = String(stanza.attrs.id ?? '');
        if (marker) for (const listener of listeners) listener(receiver, marker, marker);
      });
      xmpp.streamManagement.on('ack', (stanza) => {
        const id = String(stanza.attrs.id ?? '');
        waiting.get(id)?.(true);
        waiting.delete(id);
      });
      xmpp.streamManagement.on('fail', (stanza) => {
        const id = String(stanza.attrs.id ?? '');
        waiting.get(id)?.(false);
        waiting.delete(id);
      });
      try {
        await xmpp.start();
        await xmpp.send(xml('presence'));
        return xmpp;
      } catch (error) {
        await xmpp.stop().catch(() => undefined);
        throw error;
      }
    };
    for (let start = 0; start < users; start += 50) {
      await Promise.all(
        names.slice(start, start + 50).map(async (_name, offset) => {
          // On a busy machine a handshake may time out: a fresh client tries again, as a real one would.
          for (let attempt = 1; ; attempt += 1) {
            try {
              clients[start + offset] = await open(start + offset);
              return;
            } catch (error) {
              if (attempt === 5) throw error;
            }
          }
        }),
      );
    }
  } catch (error) {
    await prosody.stop();
    throw error;
  }
  await sleep(1000);
  return {
    name: 'Prosody 0.12',
    users,
    serverPids: async () => [prosody.pid],
    send: (from, to, marker) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(marker);
          resolve(false);
        }, 10_000);
        waiting.set(marker, (acked) => {
          clearTimeout(timer);
          resolve(acked);
        });
        clients[from]!.send(xml('message', { to: `${names[to]}@${prosodyDomain}`, type: 'chat', id: marker }, xml('body', {}, `${marker} ${'x'.repeat(160)}`))).catch(() => {
          waiting.delete(marker);
          clearTimeout(timer);
          resolve(false);
        });
      }),
    onReceive(listener) {
      listeners.length = 0;
      listeners.push(listener);
    },
    async stop() {
      await Promise.all(clients.map((xmpp) => xmpp.stop().catch(() => undefined)));
      await prosody.stop();
    },
  };
}
