import type { SmsGateway } from './sms-gateway.js';

export type OutboxMessage = { to: string; body: string; sentAt: string };

/**
 * The local stand-in for a phone network: messages are kept in memory and served by
 * GET /v1/dev/sms, and printed on the console so a person trying Switchboard can read their code.
 */
export class OutboxGateway implements SmsGateway {
  readonly name = 'outbox';
  private readonly messages: OutboxMessage[] = [];

  constructor(
    private readonly options: { capacity?: number; print?: (line: string) => void; now?: () => number } = {},
  ) {}

  async send(to: string, body: string): Promise<void> {
    const sentAt = new Date((this.options.now ?? Date.now)()).toISOString();
    this.messages.push({ to, body, sentAt });
    const capacity = this.options.capacity ?? 10_000;
    if (this.messages.length > capacity) this.messages.splice(0, this.messages.length - capacity);
    this.options.print?.(`[sms outbox, development only] to ${to}: ${body}`);
  }

  /** Newest first, as the contract says. */
  list(to?: string): OutboxMessage[] {
    const matching = to === undefined ? this.messages : this.messages.filter((message) => message.to === to);
    return [...matching].reverse();
  }
}
