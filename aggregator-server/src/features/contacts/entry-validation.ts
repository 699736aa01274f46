import { z } from 'zod';
import { addressBookEntry, addressBookLimits, type AddressBookEntry } from '#common/contract/contacts.js';
import { ApiError } from '../../http/api-error.js';
import { parseBody } from '../../http/validate.js';
import { inSlices } from '../../platform/slices.js';

const entryList = z.array(addressBookEntry);
const replaceEnvelope = z.object({ entries: z.array(z.unknown()).max(addressBookLimits.maxEntries) });
const patchEnvelope = z.object({
  baseVersion: z.number().int().min(0),
  add: z.array(z.unknown()).max(addressBookLimits.maxEntries).default([]),
  remove: z.array(z.string().min(1).max(128)).max(addressBookLimits.maxEntries).default([]),
});

/**
 * The same rules as the contract's request schemas, checked a slice of entries at a time so a
 * 20,000-entry book does not hold the event loop for the whole validation.
 */
async function validEntries(field: string, entries: unknown[]): Promise<AddressBookEntry[]> {
  const slices = await inSlices(entries, 1000, (slice, offset) => {
    const result = entryList.safeParse(slice);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => {
      const [index, ...rest] = issue.path;
      return { path: [field, offset + Number(index), ...rest].join('.'), message: issue.message };
    });
    const first = issues[0];
    throw new ApiError(400, 'validation_failed', first ? `${first.path}: ${first.message}` : 'invalid request', { issues });
  });
  return slices.flat();
}

export async function parseReplaceRequest(body: unknown): Promise<{ entries: AddressBookEntry[] }> {
  const envelope = parseBody(replaceEnvelope, body);
  return { entries: await validEntries('entries', envelope.entries) };
}

export async function parsePatchRequest(body: unknown): Promise<{ baseVersion: number; add: AddressBookEntry[]; remove: string[] }> {
  const envelope = parseBody(patchEnvelope, body);
  return { baseVersion: envelope.baseVersion, add: await validEntries('add', envelope.add), remove: envelope.remove };
}
