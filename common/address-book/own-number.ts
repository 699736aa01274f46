import type { AddressBookEntry, AddressBookImport } from './types.js';

/**
 * My own number is never one of my contacts: it leaves every entry, and an entry left with no number is
 * listed as skipped (`own_number`). The web import and the CLI apply the same rule.
 */
export function withoutOwnNumber(result: AddressBookImport, ownPhone: string | undefined): AddressBookImport {
  if (ownPhone === undefined) return result;
  const entries: AddressBookEntry[] = [];
  const rejected = [...result.rejected];
  result.entries.forEach((entry, index) => {
    const phones = entry.phones.filter((phone) => phone.e164 !== ownPhone);
    if (phones.length === entry.phones.length) entries.push(entry);
    else if (phones.length > 0) entries.push({ ...entry, phones });
    else rejected.push({ record: index + 1, raw: ownPhone, name: entry.name, reason: 'own_number' });
  });
  return { ...result, entries, rejected };
}
