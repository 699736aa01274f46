import { routes } from '#common/contract/routes.js';
import type { OutboxMessage } from '#common/contract/routes/platform.js';
import type { ApiClient, ApiResponse } from './test-server.js';

/**
 * A phone without data, played against the development outbox: it "sends" an SMS through
 * POST /v1/dev/sms/inbound and reads what it received from GET /v1/dev/sms, oldest first.
 */
export class OutboxPhone {
  private seen = 0;

  constructor(
    private readonly api: ApiClient,
    readonly number: string,
  ) {}

  sms(text: string, extra: { ts?: string; id?: string } = {}): Promise<ApiResponse<{ duplicate: boolean }>> {
    return this.api.route<{ duplicate: boolean }>(routes.devSmsInbound, { body: { from: this.number, text, ...extra } });
  }

  /** Everything this phone received, oldest first. */
  async inbox(): Promise<OutboxMessage[]> {
    const answer = await this.api.route<OutboxMessage[]>(routes.devSms, { query: { to: this.number } });
    return [...answer.body].reverse();
  }

  /** What arrived since the last call (waits up to `timeoutMs` for at least `count`). */
  async received(count = 1, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await this.inbox();
      if (all.length - this.seen >= count || Date.now() > deadline) {
        const fresh = all.slice(this.seen).map((message) => message.body);
        this.seen = all.length;
        return fresh;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Nothing new arrived (checked after a short pause, long enough for the server to have answered). */
  async nothingNew(pauseMs = 300): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const all = await this.inbox();
    const fresh = all.slice(this.seen).map((message) => message.body);
    this.seen = all.length;
    return fresh;
  }
}
