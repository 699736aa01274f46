import { openDetails, sealDetails, type OpenedDetails } from '#common/address-book/sealing.js';
import { SealingError, type WebCryptoKey } from '#common/address-book/web-crypto.js';
import type { AddressBookPhone } from '#common/address-book/types.js';

/** The part of a LocalPerson (db/local-db.ts) this boundary reads and writes. */
export type SealablePerson = {
  ref: string;
  name: string;
  phones: AddressBookPhone[];
  emails?: string[];
  org?: string;
  notes?: string;
  groupIds: string[];
  isPrivate: boolean;
};
/** A LocalGroup as this boundary needs it. */
export type NamedGroup = { id: string; name: string; createdAt: string };

/**
 * The upload/download boundary of a person's details: what goes into an entry's `sealed` blob and how an
 * opened blob becomes a LocalPerson again. Only the person's own details travel (name, numbers, e-mails,
 * organisation, notes, group names); what the server already tells (user id, mutual, blocked) and what is
 * private to this device (private flag, notifications) stay out.
 */
export async function sealPerson(bookKey: WebCryptoKey, person: SealablePerson, groups: readonly NamedGroup[]): Promise<string | undefined> {
  const groupNames = new Map(groups.map((group) => [group.id, group.name]));
  try {
    return await sealDetails(bookKey, person.ref, {
      name: person.name,
      phones: person.phones.map((phone) => (phone.type === undefined ? { e164: phone.e164, raw: phone.raw } : { e164: phone.e164, raw: phone.raw, type: phone.type })),
      emails: person.emails ?? [],
      ...(person.org === undefined ? {} : { org: person.org }),
      ...(person.notes === undefined ? {} : { notes: person.notes }),
      groups: person.groupIds.flatMap((id) => groupNames.get(id) ?? []),
    });
  } catch (error) {
    // An entry too large to seal still syncs its numbers; its details stay on this device.
    if (error instanceof SealingError) return undefined;
    throw error;
  }
}

/** Opens one entry; undefined when it does not open (another key, tampered): the number is shown as before. */
export async function openPerson(bookKey: WebCryptoKey, ref: string, sealed: string): Promise<OpenedDetails | undefined> {
  try {
    return await openDetails(bookKey, ref, sealed);
  } catch (error) {
    if (error instanceof SealingError) {
      console.warn(`the details of ${ref} do not open on this device (${error.reason})`);
      return undefined;
    }
    throw error;
  }
}

/**
 * The person as this device keeps them after another device's change: details from the blob, what the
 * server and this device know (user id, private flag) from the copy already here. Group names this device
 * does not know yet are returned to be created.
 */
export function personFromDetails<Person extends SealablePerson>(
  ref: string,
  details: OpenedDetails,
  existing: Person | undefined,
  groups: readonly NamedGroup[],
): { person: Person | SealablePerson; newGroups: NamedGroup[] } {
  const byName = new Map(groups.map((group) => [group.name, group]));
  const newGroups: NamedGroup[] = [];
  const groupIds = details.groups.map((name) => {
    const known = byName.get(name);
    if (known !== undefined) return known.id;
    const created: NamedGroup = { id: crypto.randomUUID(), name, createdAt: new Date().toISOString() };
    byName.set(name, created);
    newGroups.push(created);
    return created.id;
  });
  const fromBlob = { ref, name: details.name, phones: details.phones, emails: details.emails, org: details.org, notes: details.notes, groupIds };
  // What the server and this device know about the person (user id, private flag) stays as it was.
  const person: Person | SealablePerson = existing === undefined ? { ...fromBlob, isPrivate: false } : { ...existing, ...fromBlob };
  return { person, newGroups };
}
