import { z } from 'zod';
import type { RedisClientType } from 'redis';
import type { Logger } from '../../platform/logger.js';

/**
 * What any node asks of the node that holds the component connection. None carries a message: the
 * database is the outbox, and a command only says where to look, so a lost one costs the holder's next
 * sweep and nothing more.
 */
export const relayCommand = z.discriminatedUnion('kind', [
  /** Messages of this conversation wait to go out. */
  z.object({ kind: z.literal('flush'), conversationId: z.string() }),
  /** A device acknowledged messages of this conversation: receipts are owed. */
  z.object({ kind: z.literal('receipts'), conversationId: z.string() }),
  /** A user's own presence changed: their outside contacts hear of it. */
  z.object({ kind: z.literal('presence'), userId: z.string() }),
  z.object({ kind: z.literal('typing'), userId: z.string(), address: z.string(), state: z.enum(['typing', 'paused']) }),
  z.object({ kind: z.literal('subscribe'), userId: z.string(), address: z.string() }),
  z.object({ kind: z.literal('unsubscribe'), userId: z.string(), address: z.string() }),
]);
export type RelayCommand = z.infer<typeof relayCommand>;

/** How commands reach the holder, wherever it runs. */
export interface Relay {
  publish(command: RelayCommand): void;
  onCommand(handler: (command: RelayCommand) => void): void;
  close(): Promise<void>;
}

/** One node alone: the command is for this node. */
export class LocalRelay implements Relay {
  private handler: ((command: RelayCommand) => void) | undefined;

  publish(command: RelayCommand): void {
    const handler = this.handler;
    if (handler) queueMicrotask(() => handler(command));
  }

  onCommand(handler: (command: RelayCommand) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.handler = undefined;
  }
}

/** Nodes sharing Redis: a pub/sub channel every node listens on; only the holder acts. */
export class RedisRelay implements Relay {
  private handler: ((command: RelayCommand) => void) | undefined;

  private constructor(
    private readonly publisher: RedisClientType,
    private readonly subscriber: RedisClientType,
    private readonly channel: string,
    private readonly log: Logger,
  ) {}

  static async open(publisher: RedisClientType, channel: string, log: Logger): Promise<RedisRelay> {
    const subscriber = publisher.duplicate();
    subscriber.on('error', (error: Error) => log.warn({ reason: error.message }, 'xmpp relay subscriber error'));
    await subscriber.connect();
    const relay = new RedisRelay(publisher, subscriber, channel, log);
    await subscriber.subscribe(channel, (raw: string) => relay.received(raw));
    return relay;
  }

  publish(command: RelayCommand): void {
    this.publisher.publish(this.channel, JSON.stringify(command)).catch((error: unknown) => this.log.warn({ reason: (error as Error).message }, 'xmpp relay publish failed'));
  }

  onCommand(handler: (command: RelayCommand) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.handler = undefined;
    await this.subscriber.quit().catch(() => undefined);
  }

  private received(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const command = relayCommand.safeParse(parsed);
    if (command.success) this.handler?.(command.data);
    else this.log.warn('xmpp relay: a command in an unknown shape was ignored');
  }
}
