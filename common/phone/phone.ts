import { parsePhoneNumberFromString, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

export type PhoneParseFailure =
  | 'empty'
  | 'region_required'
  | 'unknown_region'
  | 'not_a_number'
  | 'invalid_number';

export type PhoneParseResult =
  | { ok: true; e164: string; region: string | undefined }
  | { ok: false; reason: PhoneParseFailure };

/** Upper-case ISO 3166-1 alpha-2 region, as libphonenumber knows it. */
export function isKnownRegion(region: string): boolean {
  return isSupportedCountry(region.toUpperCase());
}

/**
 * Normalises what a person typed or an address book holds to E.164.
 * A number without a leading `+` or international prefix is national and needs a region.
 */
export function parsePhone(raw: string, defaultRegion?: string): PhoneParseResult {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  if (!/\d/.test(trimmed)) return { ok: false, reason: 'not_a_number' };
  let region: CountryCode | undefined;
  if (defaultRegion !== undefined && defaultRegion !== '') {
    const upper = defaultRegion.toUpperCase();
    if (!isSupportedCountry(upper)) return { ok: false, reason: 'unknown_region' };
    region = upper;
  }
  const international = /^\s*(\+|00)/.test(trimmed);
  if (!international && region === undefined) return { ok: false, reason: 'region_required' };
  const parsed = parsePhoneNumberFromString(trimmed.replace(/^00/, '+'), region);
  if (parsed === undefined) return { ok: false, reason: 'not_a_number' };
  if (!parsed.isValid()) return { ok: false, reason: 'invalid_number' };
  return { ok: true, e164: parsed.number, region: parsed.country };
}

/** The region of an E.164 number, used as the default region for the owner's address book. */
export function regionOfE164(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}

export function isE164(value: string): boolean {
  const parsed = /^\+[1-9]\d{6,14}$/.test(value) ? parsePhoneNumberFromString(value) : undefined;
  return parsed !== undefined && parsed.isValid() && parsed.number === value;
}
