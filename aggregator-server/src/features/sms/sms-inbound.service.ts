import { parsePhone } from '#common/phone/phone.js';
import type { SmsSettings } from '../../config.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import type { SmsRepository } from './sms.repository.js';

/** One SMS from a phone, as any gateway hands it over. */
export type InboundSms = { from: string; to?: string | undefined; text: string; ts?: string | undefined; id?: string | undefined };

export type InboundSource = 'kannel' | 'twilio' | 'dev';

/** Inbound SMS a phone may send a minute before the rest is dropped unanswered (a loop or a flood). */
const perPhonePerMinute = 30;

/**
 * The sender as E.164. Gateways differ: Twilio gives `+8613800138000`, an SMSC behind Kannel may give
 * `8613800138000`, `008613800138000` or the national `13800138000` (then SMS_DEFAULT_REGION says where).
 */
export function senderNumber(raw: string, defaultRegion: string | undefined): string | undefined {
  const trimmed = raw.trim().replace(/[\s()-]/g, '');
  const direct = parsePhone(trimmed, defaultRegion);
  if (direct.ok) return direct.e164;
  if (/^\d{8,15}$/.test(trimmed)) {
    const international = parsePhone(`+${trimmed}`);
    if (international.ok) return international.e164;
  }
  return undefined;
}

/**
 * Receives inbound SMS: the sender is normalised, a repeat is dropped (Kannel may deliver a message again
 * after a crash; Twilio retries a webhook that timed out), and the rest goes to the gateway. A repeat is
 * known by the gateway's own id, or else by sender, time and text; it is remembered for
 * `dedupeWindowMs`, under a keyed hash (the text is not kept). A message the gateway could not handle is
 * forgotten again, so that the gateway's retry is handled.
 */
export class SmsInboundService {
  constructor(
    private readonly deps: {
      repo: SmsRepository;
      handle: (phone: string, text: string, messageKey: string) => Promise<void>;
      keyring: Keyring;
      clock: Clock;
      limiter: RateLimiter;
      log: Logger;
      settings: SmsSettings;
    },
  ) {}

  async receive(source: InboundSource, sms: InboundSms): Promise<{ duplicate: boolean }> {
    const phone = senderNumber(sms.from, this.deps.settings.defaultRegion);
    if (phone === undefined) throw new ApiError(400, 'invalid_phone', 'the sender is not a phone number');
    const identity = sms.id ? `id\0${source}\0${sms.id}` : sms.ts ? `ts\0${phone}\0${sms.ts}\0${sms.text}` : undefined;
    const now = this.deps.clock.now();
    // Without an id or a time nothing tells a repeat from the same words sent again: each is new.
    const dedupeKey = identity === undefined ? undefined : this.deps.keyring.keyedHash('sms-inbound', identity);
    if (dedupeKey !== undefined && !(await this.deps.repo.firstSighting(dedupeKey, now, this.deps.settings.dedupeWindowMs))) {
      this.deps.log.info({ source }, 'inbound SMS repeated by the gateway; dropped');
      return { duplicate: true };
    }
    const pace = await this.deps.limiter.hit(`sms-in:${phone}`, perPhonePerMinute, 60_000);
    if (!pace.allowed) {
      this.deps.log.warn({ source }, 'inbound SMS over the per-phone pace; dropped unanswered');
      return { duplicate: false };
    }
    try {
      await this.deps.handle(phone, sms.text, dedupeKey ?? `${phone}\0${now}\0${Math.random()}`);
    } catch (error) {
      if (dedupeKey !== undefined) await this.deps.repo.forgetSighting(dedupeKey);
      throw error;
    }
    return { duplicate: false };
  }
}
