import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { parseMessageSendAck, type ChatMessage, type MessageSendAck, type MessageSendPayload, type ReceiptEvent } from '#common/contract/messages.js';
import { HeldMessages } from './held-messages.js';
import { parseAck, validatedListener, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '#common/contract/socket-events.js';

/**
 * One device's chat connection over real socket.io on loopback, behaving like a client: it keeps each
 * message once (by id), counts copies it got again, and may acknowledge what it received.
 */
export class MessageClient {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Every distinct message, in arrival order. */
  readonly messages: ChatMessage[] = [];
  readonly receipts: ReceiptEvent[] = [];
  /** Conversations the server said changed (`conversation:changed`), in order. */
  readonly changed: string[] = [];
  readonly invalid: string[] = [];
  /** Copies of a message this device already had. */
  repeats = 0;
  /** The text of every `message` event the server sent this device, copies included (not its own answers). */
  readonly arrived: string[] = [];
  private readonly seen = new Set<string>();
  private waiters: (() => void)[] = [];

  /**
   * `ownEcho`: whether the server sends this device its own messages back (the contract's default); like
   * the apps, this client does not ask for them unless told to, and keeps its sends' answers instead.
   */
  constructor(url: string, private readonly token: string, private readonly options: { autoAck?: boolean; ownEcho?: boolean } = {}) {
    this.socket = this.open(url);
  }

  /** The same device (same session, same memory of what it holds) on a new connection, perhaps to another node. */
  reconnect(url: string): Promise<this> {
    this.socket.disconnect();
    this.socket = this.open(url);
    return this.connected();
  }

  private open(url: string): Socket<ServerToClientEvents, ClientToServerEvents> {
    const auth = this.options.ownEcho === true ? { token: this.token } : { token: this.token, ownEcho: false };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    const onInvalid = (event: string, problem: string) => this.invalid.push(`${event}: ${problem}`);
    socket.on(
      'message',
      validatedListener('message', (message) => this.receive(message), onInvalid),
    );
    socket.on(
      'conversation:changed',
      validatedListener('conversation:changed', (event) => {
        this.changed.push(event.conversationId);
        this.wake();
      }, onInvalid),
    );
    socket.on(
      'receipt',
      validatedListener('receipt', (receipt) => {
        this.receipts.push(receipt);
        this.wake();
      }, onInvalid),
    );
    return socket;
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
    const answer = parseMessageSendAck(await this.socket.timeout(10_000).emitWithAck('message:send', payload));
    // As the apps do: the answer is this device's copy (the server sends it to the sender's other connections only).
    if ('ok' in answer && answer.message !== undefined) this.keepOwn(answer.message);
    return answer;
  }

  private keepOwn(message: ChatMessage): void {
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    this.messages.push(message);
    if (this.options.autoAck) this.hold(message);
    this.wake();
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
    this.arrived.push('text' in message.body ? message.body.text : '');
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
  private readonly held = new HeldMessages();

  /**
   * Acknowledges, every 20 ms, the highest seq below which nothing is missing, as a client must: a
   * message whose notice was lost comes later from the database, and acknowledging past it would
   * tell the server this device has it. (A device that never held anything in a conversation starts
   * counting from the first message it sees.)
   */
  private scheduleAck(message: ChatMessage): void {
    const upTo = this.hold(message);
    if (upTo <= (this.ackDue.get(message.conversationId) ?? 0)) return;
    this.ackDue.set(message.conversationId, upTo);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      const due = [...this.ackDue];
      for (const [conversationId, upTo] of due) {
        if (upTo <= (this.acked.get(conversationId) ?? 0)) continue;
        void this.ack(conversationId, upTo).then(
          (answer) => {
            if ('ok' in answer) this.acked.set(conversationId, Math.max(this.acked.get(conversationId) ?? 0, upTo));
          },
          () => undefined,
        );
      }
    }, 20);
  }

  /** Counts a message as held (own sends too, which need no acknowledgement of their own); the run held without a gap. */
  private hold(message: ChatMessage): number {
    return this.held.hold(message);
  }

  /** What the server confirmed this device acknowledged, per conversation. */
  readonly acked = new Map<string, number>();

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
