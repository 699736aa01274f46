// Numbers to E.164, contacts to entries: the one place where what a file wrote becomes what the server sees.
import { parsePhone } from '../phone/phone.js';
import { randomRef } from './refs.js';
import type { AddressBookEntry, AddressBookPhone, RawContact, RawPhone, RejectReason, RejectedRecord } from './types.js';

export type NumberNormalisation = { ok: true; e164: string } | { ok: false; reason: RejectReason };

/** Full-width digits and signs (Chinese input methods type them) to ASCII. */
function toHalfWidth(value: string): string {
  return value.replace(/[\uff01-\uff5e]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** `8.6138001380E+12` → its digits, and whether some were implied zeros rather than written. */
function expandScientific(value: string): { digits: string; padded: boolean } | undefined {
  const match = /^\+?(\d)(?:\.(\d+))?[eE]\+?(\d{1,2})$/.exec(value);
  if (match === null) return undefined;
  const mantissa = (match[1] ?? '') + (match[2] ?? '');
  const exponent = Number(match[3]);
  const digitCount = exponent + 1;
  if (mantissa.length > digitCount) return undefined;
  return { digits: mantissa.padEnd(digitCount, '0'), padded: mantissa.length < digitCount };
}

/** Strips the wrappers spreadsheets and URIs put around a number, before libphonenumber sees it. */
export function cleanNumberText(raw: string): string {
  let value = toHalfWidth(raw).trim();
  // Excel's "keep as text" tricks: ="0123" and a leading apostrophe.
  const formula = /^="(.*)"$/.exec(value);
  if (formula !== null) value = formula[1] ?? '';
  if (value.startsWith("'")) value = value.slice(1);
  // vCard 4.0 writes tel: URIs; their parameters (;ext=, ;phone-context=) are not part of the E.164 number.
  if (/^tel:/i.test(value)) value = value.slice(4).split(';')[0] ?? '';
  return value.trim();
}

/**
 * One number to E.164 with the user's region as the default. Spreadsheet number cells get a second
 * reading as international (`8613800138000` was `+8613800138000` before Excel dropped the plus).
 */
export function normaliseNumber(phone: RawPhone, defaultRegion: string | undefined): NumberNormalisation {
  let value = cleanNumberText(phone.raw);
  const scientific = expandScientific(value.replace(/\s+/g, ''));
  if (scientific !== undefined) {
    // A number cell stores the exact value; text written in scientific notation was rounded on display.
    if (scientific.padded && phone.fromNumericCell !== true) return { ok: false, reason: 'imprecise_number' };
    value = scientific.digits;
  } else if (phone.fromNumericCell === true || /^\d{5,}\.0+$/.test(value)) {
    value = value.replace(/\.0+$/, '');
  }
  const parsed = parsePhone(value, defaultRegion);
  if (parsed.ok) return { ok: true, e164: parsed.e164 };
  const digits = value.replace(/\D/g, '');
  if (phone.fromNumericCell === true && !value.startsWith('+') && digits.length >= 11) {
    const international = parsePhone(`+${digits}`);
    if (international.ok) return { ok: true, e164: international.e164 };
  }
  switch (parsed.reason) {
    case 'empty':
      return { ok: false, reason: 'no_number' };
    case 'unknown_region':
      return { ok: false, reason: 'region_required' };
    default:
      return { ok: false, reason: parsed.reason };
  }
}

/** A contact whose numbers are normalised, before people sharing a number are merged. */
export interface NormalisedContact {
  name: string;
  phones: AddressBookPhone[];
  emails: string[];
  org?: string;
}

/**
 * Normalises every number of a contact. Each failure becomes a rejected record; a contact with no
 * number at all is rejected as a whole so the user learns why it is missing.
 */
export function normaliseContact(contact: RawContact, defaultRegion: string | undefined, rejected: RejectedRecord[]): NormalisedContact | undefined {
  const where = contact.line === undefined ? { record: contact.record } : { record: contact.record, line: contact.line };
  const nameField = contact.name === '' ? {} : { name: contact.name };
  if (contact.phones.length === 0) {
    rejected.push({ ...where, raw: contact.raw, ...nameField, reason: 'no_number' });
    return undefined;
  }
  const phones: AddressBookPhone[] = [];
  for (const phone of contact.phones) {
    const result = normaliseNumber(phone, defaultRegion);
    if (!result.ok) {
      rejected.push({ ...where, raw: phone.raw, ...nameField, reason: result.reason });
      continue;
    }
    const existing = phones.find((known) => known.e164 === result.e164);
    if (existing !== undefined) {
      if (existing.type === undefined && phone.type !== undefined) existing.type = phone.type;
      continue;
    }
    phones.push(phone.type === undefined ? { e164: result.e164, raw: phone.raw } : { e164: result.e164, raw: phone.raw, type: phone.type });
  }
  if (phones.length === 0) return undefined;
  const normalised: NormalisedContact = { name: contact.name, phones, emails: contact.emails };
  if (contact.org !== undefined && contact.org !== '') normalised.org = contact.org;
  return normalised;
}

/**
 * People sharing a number are one person (the same contact exported twice, or two cards for one
 * number): the first keeps its name, numbers and e-mails are unioned. Sharing is transitive, so a
 * union-find over contacts links A–B–C even when A and C share nothing directly.
 */
export function mergeContacts(contacts: NormalisedContact[]): AddressBookEntry[] {
  const parent = contacts.map((_, index) => index);
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root] ?? root;
    let walker = index;
    while (parent[walker] !== root) {
      const next = parent[walker] ?? root;
      parent[walker] = root;
      walker = next;
    }
    return root;
  };
  const ownerOfNumber = new Map<string, number>();
  contacts.forEach((contact, index) => {
    for (const phone of contact.phones) {
      const owner = ownerOfNumber.get(phone.e164);
      if (owner === undefined) {
        ownerOfNumber.set(phone.e164, index);
        continue;
      }
      const [rootA, rootB] = [find(owner), find(index)];
      // The earliest contact stays the root, so the merged entry keeps the first name in the file.
      if (rootA !== rootB) parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
    }
  });

  const groups = new Map<number, AddressBookEntry>();
  contacts.forEach((contact, index) => {
    const root = find(index);
    const entry = groups.get(root);
    if (entry === undefined) {
      groups.set(root, startEntry(contact));
      return;
    }
    if (entry.name === '' && contact.name !== '') entry.name = contact.name;
    for (const phone of contact.phones) if (!entry.phones.some((known) => known.e164 === phone.e164)) entry.phones.push(phone);
    for (const email of contact.emails) addEmail(entry, email);
    if (entry.org === undefined && contact.org !== undefined) entry.org = contact.org;
  });
  // Random refs (see refs.ts); a device that remembers its book swaps in the refs it knows (assignRefs).
  const entries = [...groups.values()];
  for (const entry of entries) entry.ref = randomRef();
  return entries;
}

function startEntry(contact: NormalisedContact): AddressBookEntry {
  const entry: AddressBookEntry = { ref: '', name: contact.name, phones: [...contact.phones] };
  for (const email of contact.emails) addEmail(entry, email);
  if (contact.org !== undefined) entry.org = contact.org;
  return entry;
}

function addEmail(entry: AddressBookEntry, email: string): void {
  const emails = entry.emails ?? [];
  if (!emails.some((known) => known.toLowerCase() === email.toLowerCase())) emails.push(email);
  if (emails.length > 0) entry.emails = emails;
}

/** Characters of scripts written without spaces between family and given name. */
const cjkPattern = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;

/**
 * A display name from name parts: `张` + `三` → `张三`, `John` + `Smith` → `John Smith`. Honorific
 * prefixes ("Mr.", "Dr.") are left out, as phones leave them out of the contact list.
 */
export function composeName(parts: { given?: string; middle?: string; family?: string; suffix?: string }): string {
  const family = parts.family?.trim() ?? '';
  const given = parts.given?.trim() ?? '';
  if (cjkPattern.test(family) || cjkPattern.test(given)) return `${family}${parts.middle?.trim() ?? ''}${given}`;
  return [given, parts.middle, family, parts.suffix]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
}

const typeByLabel = new Map<string, string | undefined>();

/** Normalised labels for phone types, whatever language or product wrote them (memoised: labels repeat). */
export function phoneTypeFromLabel(label: string): string | undefined {
  if (typeByLabel.has(label)) return typeByLabel.get(label);
  const type = classifyPhoneLabel(label);
  if (typeByLabel.size < 1000) typeByLabel.set(label, type);
  return type;
}

function classifyPhoneLabel(label: string): string | undefined {
  const lower = label.trim().toLowerCase();
  if (lower === '') return undefined;
  const apple = /^_\$!<(.+)>!\$_$/.exec(label.trim());
  const text = apple !== null ? (apple[1] ?? '').toLowerCase() : lower;
  if (/(mobile|mobil|cell|iphone|handy|portable|móvil|movil|celular|cellulare|手机|移动|携帯)/.test(text)) return 'mobile';
  if (/(fax|传真|télécopie)/.test(text)) return 'fax';
  if (/(pager|寻呼|beeper)/.test(text)) return 'pager';
  if (/(work|business|office|company|geschäft|gesch|bureau|travail|商务|办公|单位|公司|工作)/.test(text)) return 'work';
  if (/(home|privat|domicile|maison|住宅|家庭|家)/.test(text)) return 'home';
  if (/(main|primary|主要)/.test(text)) return 'main';
  if (/(other|其他|andere|autre)/.test(text)) return 'other';
  if (/^(voice|pref|tel|phone|电话|telefon|téléphone)$/.test(text)) return undefined;
  return text;
}
