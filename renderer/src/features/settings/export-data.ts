import type { LocalPerson } from '../../db/local-db.js';
import type { ServerApi } from '../../api/server-api.js';

/** What the server keeps about me, as it answers me: account, devices, sign-ins, privacy, address book. */
export async function serverDataOf(api: ServerApi): Promise<string> {
  const [account, devices, logins, privacy, blocklist, allowlist, addressBook, contacts] = await Promise.all([
    api.me(),
    api.devices(),
    api.logins(),
    api.privacy(),
    api.list('blocklist'),
    api.list('allowlist'),
    api.addressBook(),
    api.contacts(),
  ]);
  return JSON.stringify({ exportedAt: new Date().toISOString(), account, devices, logins, privacy, blocklist, allowlist, addressBook, contacts }, null, 2);
}

/** vCard 3.0 text escaping (RFC 2426): backslash, comma, semicolon and newlines. */
function escapeVcard(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r?\n/g, '\\n');
}

/** My local contacts (names never leave this device otherwise) as a vCard file, made in the browser. */
export function vcardOf(people: readonly LocalPerson[], nameOf: (person: LocalPerson) => string): string {
  return people
    .map((person) => {
      const name = escapeVcard(nameOf(person));
      const phones = person.phones.map((phone) => `TEL;TYPE=CELL:${phone.e164}`);
      return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${name}`, `N:${name};;;;`, ...phones, 'END:VCARD'].join('\r\n');
    })
    .join('\r\n');
}

/** Hands a file to the browser's download. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
