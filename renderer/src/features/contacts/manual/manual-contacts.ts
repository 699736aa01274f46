import { randomRef } from '#common/address-book/refs.js';
import { parsePhone } from '#common/phone/phone.js';
import { ApiFailure } from '#renderer/api/failure.js';
import { useApp } from '#renderer/app/app-store.js';
import type { LocalPerson } from '#renderer/db/local-db.js';
import { catchUp, changeBook, uploadAddressBook } from '#renderer/sync/sync-engine.js';
import { useContacts } from '../contacts-store.js';

export type ManualContactProblem = 'invalid_phone' | 'own_number' | 'name_required';

export interface ManualContactInput {
  name: string;
  phone: string;
  /** Region of a number typed without a country code: the user's own by default. */
  region: string | undefined;
}

/** What an undo puts back: the whole book as it was (small, kept in memory for the toast's lifetime). */
export type BookSnapshot = LocalPerson[];

/**
 * Called once the screen shows the change, before the upload: local first, so the toast with its Undo
 * appears at once however slow the network is.
 */
export type OnShown = () => void;

async function saveAndSync(people: LocalPerson[], onShown?: OnShown): Promise<void> {
  // Local first: the screen shows the change now, even while an earlier change is still being uploaded
  // or a catch-up runs (a slow network once held a delete's screen and toast behind the edit before it).
  useContacts.getState().showBook(people);
  onShown?.();
  try {
    await changeBook(async () => {
      // Stored in its turn, and shown again: a catch-up that ran meanwhile may have shown an older book.
      await useContacts.getState().restoreBook(people);
      await uploadAddressBook();
    });
    await catchUp();
  } catch (error) {
    // Offline: the book is marked dirty and goes up with the next catch-up.
    if (!(error instanceof ApiFailure && error.offline)) throw error;
  }
}

/**
 * Adds a contact by hand, or edits `ref`. A number someone else in the book already has merges the two
 * (same number, same person): the typed name wins and the numbers are joined.
 */
export async function saveManualContact(
  input: ManualContactInput,
  ref?: string,
  onShown?: (previous: BookSnapshot) => void,
): Promise<{ ok: true; previous: BookSnapshot } | { ok: false; problem: ManualContactProblem }> {
  const name = input.name.trim();
  if (name === '') return { ok: false, problem: 'name_required' };
  const parsed = parsePhone(input.phone, input.region);
  if (!parsed.ok) return { ok: false, problem: 'invalid_phone' };
  if (parsed.e164 === useApp.getState().session?.phone) return { ok: false, problem: 'own_number' };
  const previous = useContacts.getState().people;
  const phone = { e164: parsed.e164, raw: input.phone.trim() };
  const editing = ref === undefined ? undefined : previous.find((person) => person.ref === ref);
  const duplicate = previous.find((person) => person.ref !== ref && person.phones.some((known) => known.e164 === parsed.e164));
  let people: LocalPerson[];
  if (duplicate !== undefined) {
    const phones = [...duplicate.phones, ...(editing?.phones ?? []).filter((known) => !duplicate.phones.some((mine) => mine.e164 === known.e164))];
    const merged: LocalPerson = { ...duplicate, name, phones, groupIds: [...new Set([...duplicate.groupIds, ...(editing?.groupIds ?? [])])] };
    people = previous.filter((person) => person.ref !== ref && person.ref !== duplicate.ref).concat(merged);
  } else if (editing !== undefined) {
    const phones = editing.phones.some((known) => known.e164 === parsed.e164) ? editing.phones : [phone, ...editing.phones.slice(1)];
    people = previous.map((person) => (person.ref === editing.ref ? { ...person, name, phones } : person));
  } else {
    people = [...previous, { ref: randomRef(), name, phones: [phone], groupIds: [], isPrivate: false }];
  }
  await saveAndSync(people, () => onShown?.(previous));
  return { ok: true, previous };
}

export async function deleteContact(ref: string, onShown?: (previous: BookSnapshot) => void): Promise<BookSnapshot> {
  const previous = useContacts.getState().people;
  await saveAndSync(
    previous.filter((person) => person.ref !== ref),
    () => onShown?.(previous),
  );
  return previous;
}

/** Merges every group of people sharing a number into one (the first name wins, numbers joined). */
export async function mergeDuplicates(onShown?: (merged: number, previous: BookSnapshot) => void): Promise<{ merged: number; previous: BookSnapshot }> {
  const previous = useContacts.getState().people;
  const byNumber = new Map<string, LocalPerson>();
  const kept: LocalPerson[] = [];
  let merged = 0;
  for (const person of previous) {
    const twin = person.phones.map((phone) => byNumber.get(phone.e164)).find((found) => found !== undefined);
    if (twin === undefined) {
      const copy = { ...person, phones: [...person.phones] };
      kept.push(copy);
      for (const phone of copy.phones) byNumber.set(phone.e164, copy);
      continue;
    }
    merged += 1;
    for (const phone of person.phones) {
      if (!twin.phones.some((known) => known.e164 === phone.e164)) twin.phones.push(phone);
      byNumber.set(phone.e164, twin);
    }
    if (twin.name === '') twin.name = person.name;
    twin.groupIds = [...new Set([...twin.groupIds, ...person.groupIds])];
  }
  if (merged > 0) await saveAndSync(kept, () => onShown?.(merged, previous));
  else onShown?.(0, previous);
  return { merged, previous };
}

/** Puts the book back as it was before an add, edit, delete or merge (the toast's Undo). */
export function restoreSnapshot(previous: BookSnapshot): Promise<void> {
  return saveAndSync(previous);
}
