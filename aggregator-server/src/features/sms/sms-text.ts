/**
 * How a text travels as SMS (3GPP TS 23.038 / 23.040): in GSM 7-bit when every character is in the
 * default alphabet or its extension table (160 septets in one SMS, 153 per part with a concatenation
 * header), otherwise in UCS-2 (70 UTF-16 units, 67 per part). Extension characters take two septets
 * (an escape and the character), and neither an escape pair nor a surrogate pair is ever cut in two.
 */

const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const gsmExtension = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'gsm7' | 'ucs2';

/** One SMS's capacity: alone, or as one part of a concatenated message. */
export const smsCapacity = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

export type SmsSplit = {
  encoding: SmsEncoding;
  /** The parts in order; one part means a plain SMS without a concatenation header. */
  parts: string[];
};

export function smsEncodingOf(text: string): SmsEncoding {
  for (const char of text) if (!gsmBasic.has(char) && !gsmExtension.has(char)) return 'ucs2';
  return 'gsm7';
}

/** Units one character takes: septets in GSM 7-bit, UTF-16 code units in UCS-2. */
function unitsOf(char: string, encoding: SmsEncoding): number {
  if (encoding === 'gsm7') return gsmExtension.has(char) ? 2 : 1;
  return char.length;
}

export function smsLength(text: string, encoding: SmsEncoding = smsEncodingOf(text)): number {
  let units = 0;
  for (const char of text) units += unitsOf(char, encoding);
  return units;
}

/** Splits a text into the SMS parts a phone receives. */
export function splitSms(text: string): SmsSplit {
  const encoding = smsEncodingOf(text);
  const capacity = smsCapacity[encoding];
  if (smsLength(text, encoding) <= capacity.single) return { encoding, parts: [text] };
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const char of text) {
    const units = unitsOf(char, encoding);
    if (used + units > capacity.part) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += char;
    used += units;
  }
  if (current !== '') parts.push(current);
  return { encoding, parts };
}

/**
 * The text cut to at most `maxParts` SMS, ending with "…" when cut. "…" is not in the GSM alphabet,
 * so a cut GSM text ends with "..." instead, which keeps its encoding (and its capacity).
 */
export function fitSms(text: string, maxParts: number): string {
  if (splitSms(text).parts.length <= maxParts) return text;
  const encoding = smsEncodingOf(text);
  const ellipsis = encoding === 'gsm7' ? '...' : '…';
  const budget = (maxParts === 1 ? smsCapacity[encoding].single : smsCapacity[encoding].part * maxParts) - smsLength(ellipsis, encoding);
  let kept = '';
  let used = 0;
  for (const char of text) {
    const units = unitsOf(char, encoding);
    if (used + units > budget) break;
    kept += char;
    used += units;
  }
  // The part boundaries may waste a unit (an escape pair does not straddle parts): trim until it fits.
  let candidate = kept + ellipsis;
  while (splitSms(candidate).parts.length > maxParts && kept.length > 0) {
    kept = [...kept].slice(0, -1).join('');
    candidate = kept + ellipsis;
  }
  return candidate;
}

