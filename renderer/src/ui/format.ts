import { parsePhoneNumber } from 'libphonenumber-js/max';
import type { Language } from '../i18n/i18n.js';

/** "10:32" today, "3 Mar 10:32" on another day: what a glance at an icon's "since" needs. */
export function formatSince(iso: string, language: Language, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameDay = date.toDateString() === now.toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat(language, options).format(date);
}

/**
 * A number in its country's international format ("+86 138 0013 8000"), as Telegram and Signal show
 * them, with no-break spaces so a line never ends inside it; what cannot be parsed is shown as it is.
 */
export function formatPhone(e164: string): string {
  try {
    return parsePhoneNumber(e164).formatInternational().replace(/ /g, '\u00a0');
  } catch {
    return e164;
  }
}
