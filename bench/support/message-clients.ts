import { randomUUID } from 'node:crypto';
import { client as xmppClient, xml, type XmppClient } from '@xmpp/client';
import { io as connect, type Socket } from 'socket.io-client';
import { parseMessageSendAck, type ChatMessage } from '#common/contract/messages.js';
import { HeldMessages } from '#test/support/held-messages.js';
import { prosodyDomain } from './prosody.js';
import { sleep } from './stats.js';

/**
 * The client side of the message benchmark: some of the users of one system under test, each online with
 * a real client (socket.io for Switchboard and its floor, XMPP for Prosody). Users are numbered 0..N-1
 * across all load processes; a load process holds the users `mine`.
 */
export type MessageClients = {
  /** Answers whether the server acknowledged the message (Switchboard: the send's ack; XMPP: XEP-0198 `<a/>`). */
  send(from: number, to: number, marker: string): Promise<boolean>;
  /** `identity` is what the server made of the message (its id), to tell a duplicate from a second message. */
  onReceive(listener: (receiver: number, marker: string, identity: string) => void): void;
  close(): Promise<void>;
};

/** Where the clients connect, as sent to a load process. */
export type LoadTarget = { kind: 'socketio'; url: string; accounts: Account[] } | { kind: 'xmpp'; port: number; users: number };

export type Account = { token: string; userId: string; phone: string };

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


/** Online devices of the users `mine` on a server that speaks the contract's message events. */
async function socketioClients(url: string, accounts: Account[], mine: number[]): Promise<MessageClients> {
  const devices = new Map<number, BenchDevice>();
  const opened = await openDevices(url, mine.map((user) => accounts[user] as Account));
  mine.forEach((user, index) => devices.set(user, opened[index] as BenchDevice));
  const listeners: ((receiver: number, marker: string, identity: string) => void)[] = [];
  for (const [receiver, device] of devices) {
    const self = accounts[receiver]?.userId;
    device.onMessage = (message) => {
      if (message.from.userId === self) return;
      const marker = 'text' in message.body ? message.body.text.slice(0, message.body.text.indexOf(' ')) : '';
      for (const listener of listeners) listener(receiver, marker, message.id);
    };
  }
  return {
    send: async (from, to, marker) => (await devices.get(from)!.send(accounts[to]!.phone, `${marker} ${'x'.repeat(160)}`)) !== undefined,
    onReceive(listener) {
      listeners.length = 0;
      listeners.push(listener);
    },
    async close() {
      for (const device of devices.values()) device.close();
    },
  };
}

/**
 * Prosody's users `mine`, with XEP-0198 stream management, whose `<a/>` is the XMPP way for a server to
 * acknowledge what it took; `<message type="chat">` between online users.
 */
async function xmppClients(port: number, mine: number[]): Promise<MessageClients> {
  const listeners: ((receiver: number, marker: string, identity: string) => void)[] = [];
  const clients = new Map<number, XmppClient>();
  const waiting = new Map<string, (acked: boolean) => void>();
  const open = async (user: number): Promise<XmppClient> => {
    const xmpp = xmppClient({
      service: `xmpp://127.0.0.1:${port}`,
      domain: prosodyDomain,
      resource: 'bench',
      // PLAIN over loopback: SCRAM's 4,096 rounds of PBKDF2 in the client's JavaScript took 37 s for 50
      // sign-ins, and this benchmark measures messages, not logins.
      credentials: (authenticate) => authenticate({ username: `u${user}`, password: 'pw' }, 'PLAIN'),
    });
    xmpp.on('error', () => undefined);
    xmpp.on('stanza', (stanza) => {
      if (!stanza.is('message') || stanza.attrs.type !== 'chat') return;
      const marker = String(stanza.attrs.id ?? '');
      if (marker) for (const listener of listeners) listener(user, marker, marker);
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
  try {
    for (let start = 0; start < mine.length; start += 50) {
      await Promise.all(
        mine.slice(start, start + 50).map(async (user) => {
          // On a busy machine a handshake may time out: a fresh client tries again, as a real one would.
          for (let attempt = 1; ; attempt += 1) {
            try {
              clients.set(user, await open(user));
              return;
            } catch (error) {
              if (attempt === 5) throw error;
            }
          }
        }),
      );
    }
  } catch (error) {
    await Promise.all([...clients.values()].map((xmpp) => xmpp.stop().catch(() => undefined)));
    throw error;
  }
  return {
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
        clients
          .get(from)!
          .send(xml('message', { to: `u${to}@${prosodyDomain}`, type: 'chat', id: marker }, xml('body', {}, `${marker} ${'x'.repeat(160)}`)))
          .catch(() => {
            waiting.delete(marker);
            clearTimeout(timer);
            resolve(false);
          });
      }),
    onReceive(listener) {
      listeners.length = 0;
      listeners.push(listener);
    },
    async close() {
      await Promise.all([...clients.values()].map((xmpp) => xmpp.stop().catch(() => undefined)));
    },
  };
}

export function clientsFor(target: LoadTarget, mine: number[]): Promise<MessageClients> {
  return target.kind === 'socketio' ? socketioClients(target.url, target.accounts, mine) : xmppClients(target.port, mine);
}
