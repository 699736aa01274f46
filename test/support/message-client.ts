import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { parseMessageSendAck, type ChatMessage, type MessageSendAck, type MessageSendPayload, type ReceiptEvent } from '../../common/contract/messages.js';
import { parseAck, validatedListener, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '../../common/contract/socket-events.js';

/**
 * One device's chat connection over real socket.io on loopback, behaving like a client: it keeps each
 * message once (by id), counts copies it got again, and may acknowledge what it received.
 */
export class MessageClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Every distinct message, in arrival order. */
  readonly messages: ChatMessage[] = [];
  readonly receipts: ReceiptEvent[] = [];
  readonly invalid: string[] = [];
  /** Copies of a message this device already had. */
  repeats = 0;
  private readonly seen = new Set<string>();
  private waiters: (() => void)[] = [];

  constructor(url: string, token: string, private readonly options: { autoAck?: boolean } = {}) {
    this.socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const onInvalid = (event: string, problem: string) => this.invalid.push(`${event}: ${problem}`);
    this.socket.on(
      'message',
      validatedListener('message', (message) => this.receive(message), onInvalid),
    );
    this.socket.on(
      'receipt',
      validatedListener('receipt', (receipt) => {
        this.receipts.push(receipt);
        this.wake();
      }, onInvalid),
    );
  }

  connected(): Promise<this> {
    if (this.socket.connected) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve(this));
      this.socket.once('connect_error', reject);
    });
  }

  async send(to: MessageSendPayload['to'], text: string, extra: Partial<MessageSendPayload> = {}): Promise<MessageSendAck> {
    const payload: MessageSendPayload = { clientId: randomUUID(), to, body: { text }, ...extra };
    return parseMessageSendAck(await this.socket.timeout(10_000).emitWithAck('message:send', payload));
  }

  async ack(conversationId: string, upTo: number): Promise<Ack> {
    return parseAck(await this.socket.timeout(10_000).emitWithAck('message:ack', { conversationId, upTo }));
  }

  async read(conversationId: string, upTo: number): Promise<Ack> {
    return parseAck(await this.socket.timeout(10_000).emitWithAck('message:read', { conversationId, upTo }));
  }

  /** Resolves once the predicate holds over what this device holds, or fails after the timeout. */
  async until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; holding ${this.messages.length} messages`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  texts(conversationId?: string): string[] {
    return this.messages.filter((m) => !conversationId || m.conversationId === conversationId).map((m) => ('text' in m.body ? m.body.text : ''));
  }

  close(): void {
    this.socket.disconnect();
  }

  private receive(message: ChatMessage): void {
    if (this.seen.has(message.id)) this.repeats += 1;
    else {
      this.seen.add(message.id);
      this.messages.push(message);
      if (this.options.autoAck) this.scheduleAck(message);
    }
    this.wake();
  }

  private readonly ackDue = new Map<string, number>();
  private ackTimer: NodeJS.Timeout | undefined;

  /** Acknowledges the newest message per conversation every 20 ms, as a client does (each conversation arrives in order). */
  private scheduleAck(message: ChatMessage): void {
    this.ackDue.set(message.conversationId, Math.max(this.ackDue.get(message.conversationId) ?? 0, message.seq));
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      const due = [...this.ackDue];
      this.ackDue.clear();
      for (const [conversationId, upTo] of due) {
        void this.ack(conversationId, upTo).then(
          (answer) => {
            if ('ok' in answer) this.acked.set(conversationId, Math.max(this.acked.get(conversationId) ?? 0, upTo));
          },
          () => undefined,
        );
      }
    }, 20);
  }

  /** What the server confirmed this device acknowledged, per conversation. */
  readonly acked = new Map<string, number>();

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
