import type { KannelConfig } from '../../config.js';
import { SmsSendError, type SmsGateway } from './sms-gateway.js';

/**
 * GSM 03.38's default alphabet and extension table. Such text goes as 7-bit (160 characters an SMS);
 * anything else needs UCS-2 (coding=2), where one SMS holds only 70 characters and Kannel cuts the rest.
 */
const gsm7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà\f^{}\\[~\]|€]*$/u;

/** Kannel's smsbox sendsms interface, the open-source SMS gateway an operator can run next to a modem or SMSC. */
export class KannelGateway implements SmsGateway {
  readonly name = 'kannel';

  constructor(
    private readonly config: KannelConfig,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async send(to: string, body: string): Promise<void> {
    const url = new URL(this.config.sendUrl);
    url.searchParams.set('username', this.config.username);
    url.searchParams.set('password', this.config.password);
    url.searchParams.set('from', this.config.from);
    url.searchParams.set('to', to);
    url.searchParams.set('text', body);
    url.searchParams.set('charset', 'UTF-8');
    if (!gsm7.test(body)) url.searchParams.set('coding', '2');
    let response: Response;
    try {
      response = await this.fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new SmsSendError(`kannel unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status >= 300 || !/accepted|queued/i.test(text)) {
      throw new SmsSendError(`kannel refused the message: ${response.status} ${text.slice(0, 200)}`, response.status);
    }
  }
}
