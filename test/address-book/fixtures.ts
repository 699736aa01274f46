import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAddressBook, type AddressBookEntry, type AddressBookImport, type ParseOptions } from '#common/address-book/index.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/address-books/', import.meta.url));

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${fixturesDir}${name}`));
}

export function parseFixture(name: string, options: ParseOptions = { defaultRegion: 'CN' }): AddressBookImport {
  return parseAddressBook(fixtureBytes(name), { fileName: name, ...options });
}

/** The entry with this name; fails the test with the names present when it is missing. */
export function entryNamed(result: AddressBookImport, name: string): AddressBookEntry {
  const entry = result.entries.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new Error(`no entry named ${name}; have ${result.entries.map((candidate) => candidate.name).join(' | ')}`);
  return entry;
}

export const numbersOf = (entry: AddressBookEntry): string[] => entry.phones.map((phone) => phone.e164);

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
