import type { TwilioConfig } from '../../config.js';
import { SmsSendError, type SmsGateway } from './sms-gateway.js';

/** Twilio's Programmable Messaging REST API: POST /2010-04-01/Accounts/{sid}/Messages.json. */
export class TwilioGateway implements SmsGateway {
  readonly name = 'twilio';

  constructor(
    private readonly config: TwilioConfig,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async send(to: string, body: string): Promise<void> {
    const url = new URL(`/2010-04-01/Accounts/${encodeURIComponent(this.config.accountSid)}/Messages.json`, this.config.baseUrl);
    const form = new URLSearchParams({ To: to, Body: body });
    // A Messaging Service SID starts with MG; anything else is a sender number or alphanumeric id.
    if (this.config.from.startsWith('MG')) form.set('MessagingServiceSid', this.config.from);
    else form.set('From', this.config.from);
    const credentials = Buffer.from(`${this.config.accountSid}:${this.config.authToken}`).toString('base64');
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new SmsSendError(`twilio unreachable: ${(error as Error).message}`);
    }
    if (response.status !== 201 && response.status !== 200) {
      const detail = await response.json().catch(() => undefined) as { code?: number; message?: string } | undefined;
      throw new SmsSendError(`twilio refused the message: ${response.status} ${detail?.code ?? ''} ${detail?.message ?? ''}`.trim(), response.status);
    }
  }
}
