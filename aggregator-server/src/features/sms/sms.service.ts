import type { SmsSettings } from '../../config.js';
import { ApiError, tooManyRequests } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import { regionOfE164 } from '#common/phone/phone.js';
import { languageOfText, type SmsLanguage } from './sms-commands.js';
import { fallbackFrame, noticeText } from './sms-replies.js';
import { fitSms, splitSms } from './sms-text.js';
import type { SmsGateway } from './sms-gateway.js';
import type { DailyCharge, SmsRepository } from './sms.repository.js';

const dayMs = 24 * 60 * 60_000;
const chineseRegions = new Set(['CN', 'TW', 'HK', 'MO']);

/** The language of an SMS to someone we know only by number: Chinese for Chinese-speaking regions. */
function languageOfNumber(phone: string): SmsLanguage {
  return chineseRegions.has(regionOfE164(phone) ?? '') ? 'zh' : 'en';
}

/** Why an SMS did not go out. */
export type SmsWithheld = 'opted_out' | 'capped';

/** What the messages feature asks of SMS (M24): the fallback text to a stranger and the offline notice. */
export interface SmsFallback {
  /**
   * Sends a message as an SMS to a number that is not a user, once per (sender, clientId); throws
   * `sms_opted_out` or `too_many_requests` when it may not go out.
   */
  toStranger(input: { senderId: string; senderPhone: string; clientId: string; to: string; text: string }): Promise<void>;
  /** Tells a user with no device online that a message waits; false when it was not sent. */
  notice(input: { senderId: string; senderPhone: string; to: string }): Promise<boolean>;
}

/**
 * Every SMS the server sends on a person's behalf goes through here: opt-outs (STOP) are honoured, the
 * text is cut to `maxParts`, and daily caps are charged in SMS parts, atomically in the database, before
 * anything is handed to the gateway. Numbers appear in the database only as keyed hashes.
 */
export class SmsService implements SmsFallback {
  constructor(
    private readonly deps: {
      repo: SmsRepository;
      gateway: SmsGateway;
      keyring: Keyring;
      clock: Clock;
      log: Logger;
      settings: SmsSettings;
      /** SMS parts one sender may cause a day (fallbacks and notices). */
      perSenderPerDay: number;
      /** The link a stranger may install Switchboard from (the server's public origin). */
      inviteUrl: string | undefined;
    },
  ) {}

  phoneKey(phone: string): string {
    return this.deps.keyring.phoneHash(phone);
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return this.deps.repo.isOptedOut(this.phoneKey(phone));
  }

  /** STOP and START; answers whether the state changed. */
  async setOptedOut(phone: string, optedOut: boolean): Promise<boolean> {
    return this.deps.repo.setOptedOut(this.phoneKey(phone), optedOut, this.deps.clock.now());
  }

  /**
   * Sends unless the number opted out or a cap is reached. `ignoreOptOut` is only for the answer to
   * STOP itself (and to START/HELP, which the phone asked for).
   */
  async send(to: string, text: string, caps: DailyCharge[], options: { ignoreOptOut?: boolean } = {}): Promise<SmsWithheld | 'sent'> {
    if (!options.ignoreOptOut && (await this.isOptedOut(to))) return 'opted_out';
    const body = fitSms(text, this.deps.settings.maxParts);
    const parts = splitSms(body).parts.length;
    if (caps.length > 0 && !(await this.deps.repo.chargeDaily(caps, this.today(), parts))) return 'capped';
    await this.deps.gateway.send(to, body);
    return 'sent';
  }

  /** The cap of one phone: answers and relayed messages of the gateway. */
  gatewayCap(phone: string): DailyCharge {
    return { key: `gateway:${this.phoneKey(phone)}`, limit: this.deps.settings.gatewayPerPhonePerDay };
  }

  helpCap(phone: string): DailyCharge {
    return { key: `help:${this.phoneKey(phone)}`, limit: this.deps.settings.helpPerPhonePerDay };
  }

  async toStranger(input: { senderId: string; senderPhone: string; clientId: string; to: string; text: string }): Promise<void> {
    const { repo, clock } = this.deps;
    // The same clientId sends one SMS only, on any node: the database remembers it for a day.
    const onceKey = this.deps.keyring.keyedHash('sms-once', `${input.senderId}\0${input.clientId}`);
    if (!(await repo.firstSighting(onceKey, clock.now(), dayMs))) return;
    const outcome = await this.send(input.to, this.fallbackText(input.senderPhone, input.text), this.fallbackCaps(input.senderId, input.to)).catch(async (error: unknown) => {
      await repo.forgetSighting(onceKey);
      throw error;
    });
    if (outcome === 'sent') return;
    // Refused: a retry with the same clientId is judged again rather than answered "sent".
    await repo.forgetSighting(onceKey);
    if (outcome === 'opted_out') throw new ApiError(403, 'sms_opted_out', 'this number asked not to receive SMS from Switchboard');
    throw tooManyRequests('too_many_requests', 'the daily SMS limit of this sender or this number is reached', this.untilTomorrowMs());
  }

  async notice(input: { senderId: string; senderPhone: string; to: string }): Promise<boolean> {
    try {
      const outcome = await this.send(input.to, noticeText(languageOfNumber(input.to), input.senderPhone), this.fallbackCaps(input.senderId, input.to));
      return outcome === 'sent';
    } catch (error) {
      // The message is stored already; a missing notice is not a failed send.
      this.deps.log.warn({ reason: (error as Error).message }, 'sms notice not sent');
      return false;
    }
  }

  /**
   * The sender's number, the text, and the invitation; the text is cut (never the frame) so the whole
   * SMS fits in `maxParts` parts. Chinese text gets the Chinese frame.
   */
  fallbackText(senderPhone: string, text: string): string {
    const frame = fallbackFrame(languageOfText(text), senderPhone, this.deps.inviteUrl);
    const whole = (kept: string) => `${frame.before}${kept}${frame.after}`;
    const maxParts = this.deps.settings.maxParts;
    const characters = [...text];
    if (splitSms(whole(text)).parts.length <= maxParts) return whole(text);
    // The longest prefix that fits, found by halving: the parts grow with the prefix.
    let low = 0;
    let high = characters.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (splitSms(whole(characters.slice(0, middle).join('') + '…')).parts.length <= maxParts) low = middle;
      else high = middle - 1;
    }
    return whole(characters.slice(0, low).join('') + '…');
  }

  /** Drops old de-duplication keys and counters (run from a timer). */
  async purge(): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.repo.purgeBefore(now - Math.max(this.deps.settings.dedupeWindowMs, dayMs), Math.floor(now / dayMs) - 1);
  }

  today(): number {
    return Math.floor(this.deps.clock.now() / dayMs);
  }

  private untilTomorrowMs(): number {
    return (this.today() + 1) * dayMs - this.deps.clock.now();
  }

  private fallbackCaps(senderId: string, to: string): DailyCharge[] {
    return [
      { key: `sender:${senderId}`, limit: this.deps.perSenderPerDay },
      { key: `receiver:${this.phoneKey(to)}`, limit: this.deps.settings.perReceiverPerDay },
    ];
  }
}
