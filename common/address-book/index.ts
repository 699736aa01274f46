// Address-book import, parsed on the user's own machine: the desktop core, the web client and the CLI
// share this module. Only the E.164 numbers and refs of the result ever leave the machine.
import { isKnownRegion } from '../phone/phone.js';
import { openAddressBook } from './detect.js';
import { mergeContacts, normaliseContact, type NormalisedContact } from './normalize.js';
import { randomRef } from './refs.js';
import {
  AddressBookError,
  WarningSink,
  type AbortSignalLike,
  type AddressBookEntry,
  type AddressBookImport,
  type AsyncParseOptions,
  type ParseOptions,
  type RejectedRecord,
} from './types.js';

export * from './types.js';
export { assignKeyedRefs, assignRefs, newRefKey, randomRef } from './refs.js';
export { withoutOwnNumber } from './own-number.js';

interface Progress {
  done: number;
  total: number;
}

/** How often the import pipeline offers the async driver a chance to pause (cheap: a generator step). */
const recordsPerStep = 25;

function validRegion(region: string | undefined): string | undefined {
  if (region === undefined || region.trim() === '') return undefined;
  if (!isKnownRegion(region.trim())) throw new AddressBookError('unknown_region', `"${region}" is not a region code libphonenumber knows (expected ISO 3166-1 alpha-2, e.g. CN, US, GB)`);
  return region.trim().toUpperCase();
}

/**
 * The whole import as a generator: the sync API runs it straight through, the async API pauses it
 * between steps to let the event loop (and a browser's rendering) run. One code path for both.
 */
function* importSteps(bytes: Uint8Array, options: ParseOptions): Generator<Progress, AddressBookImport, void> {
  const region = validRegion(options.defaultRegion);
  const warnings = new WarningSink();
  const { format, encoding, encodingChoices, source } = openAddressBook(bytes, options, warnings);
  const rejected: RejectedRecord[] = [];
  const normalised: NormalisedContact[] = [];
  let done = 0;
  yield { done, total: source.total };
  for (const contact of source.contacts()) {
    const result = normaliseContact(contact, region, rejected);
    if (result !== undefined) normalised.push(result);
    done += 1;
    if (done % recordsPerStep === 0) yield { done, total: source.total };
  }
  const result: AddressBookImport = { format, encoding, entries: mergeContacts(normalised), rejected, warnings: warnings.finish() };
  if (encodingChoices !== undefined) result.encodingChoices = encodingChoices;
  return result;
}

/** Synchronous import, for small files or a worker. Throws only `AddressBookError`. */
export function parseAddressBook(bytes: Uint8Array, options: ParseOptions = {}): AddressBookImport {
  const steps = importSteps(bytes, options);
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  return step.value;
}

interface YieldingHost {
  scheduler?: { yield?: () => Promise<void> };
  setTimeout?: (callback: () => void, delay: number) => unknown;
}

/**
 * A macrotask boundary: a resolved promise would keep us in the same task, so a browser would neither
 * paint nor handle input. `scheduler.yield()` (Chromium) resumes ahead of other tasks; elsewhere a
 * zero timer works in browsers and Node alike. Looked up on globalThis because pure code has no DOM
 * or Node typings.
 */
export function yieldToEventLoop(): Promise<void> {
  const host = globalThis as unknown as YieldingHost;
  const scheduler = host.scheduler;
  if (scheduler !== undefined && typeof scheduler.yield === 'function') return scheduler.yield();
  const setTimer = host.setTimeout;
  if (typeof setTimer === 'function') return new Promise((resolve) => void setTimer(() => resolve(), 0));
  return Promise.resolve();
}

/** Work per slice before yielding: short enough to keep a 60 Hz UI responsive. */
const sliceMilliseconds = 12;
/** Report progress at least this often even on a fast machine. */
const maxRecordsPerSlice = 250;

function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted === true) throw new AddressBookError('aborted', 'the import was cancelled');
}

/**
 * Import without freezing a UI: work in slices of about 12 ms (at most 250 records), yielding to the
 * event loop between slices, reporting progress, and stopping with `aborted` when the signal fires.
 */
export async function parseAddressBookAsync(bytes: Uint8Array, options: AsyncParseOptions = {}): Promise<AddressBookImport> {
  const { onProgress, signal } = options;
  throwIfAborted(signal);
  const steps = importSteps(bytes, options);
  let sliceStart = Date.now();
  let recordsAtSliceStart = 0;
  let total = 0;
  let step = steps.next();
  while (step.done !== true) {
    const done = step.value.done;
    total = step.value.total;
    if (Date.now() - sliceStart >= sliceMilliseconds || done - recordsAtSliceStart >= maxRecordsPerSlice) {
      onProgress?.(done, total);
      await yieldToEventLoop();
      throwIfAborted(signal);
      sliceStart = Date.now();
      recordsAtSliceStart = done;
    }
    step = steps.next();
  }
  onProgress?.(total, total);
  return step.value;
}

export type ManualEntryResult = { ok: true; entry: AddressBookEntry } | { ok: false; rejected: RejectedRecord };

/** One contact typed by hand, normalised exactly like an imported one. */
export function manualEntry(name: string, phone: string, region?: string): ManualEntryResult {
  const rejected: RejectedRecord[] = [];
  const trimmedName = name.trim();
  const contact = normaliseContact(
    { record: 1, name: trimmedName, phones: phone.trim() === '' ? [] : [{ raw: phone.trim() }], emails: [], raw: phone.trim() },
    validRegion(region),
    rejected,
  );
  if (contact === undefined) {
    const reason = rejected[0] ?? { record: 1, raw: phone, reason: 'not_a_number' as const };
    return { ok: false, rejected: reason };
  }
  return { ok: true, entry: { ref: randomRef(), name: trimmedName, phones: contact.phones } };
}
