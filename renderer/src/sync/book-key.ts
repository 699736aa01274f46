import { create } from 'zustand';
import { generateBookKey } from '#common/address-book/sealing.js';
import {
  createRecoveryKey,
  exportDevicePublicKey,
  generateDeviceKeyPair,
  unwrapBookKeyFromDevice,
  unwrapBookKeyWithRecovery,
  verificationCode,
  wrapBookKeyForDevice,
  wrapBookKeyForRecovery,
} from '#common/address-book/key-wrapping.js';
import type { WebCryptoKey } from '#common/address-book/web-crypto.js';
import type { KeyDeviceView } from '#common/contract/key-exchange.js';
import { ApiFailure } from '../api/failure.js';
import { api, useApp } from '../app/app-store.js';
import { localDb } from '../db/local-db.js';
import { useContacts } from '../features/contacts/contacts-store.js';
import { openPerson, personFromDetails } from './sealed-people.js';

/** Another of my devices, with the code both screens show for the pair. */
export type PairedDevice = { deviceId: string; name: string; publicKey: string; code: string };

interface BookKeyState {
  /**
   * `ready`: this device holds the book key. `needs-key`: the account has one and this device waits for
   * an approval or the recovery key (numbers show as before). `rejected`: another device said no.
   */
  status: 'unknown' | 'ready' | 'needs-key' | 'rejected';
  /** On a waiting device: the devices that can approve it. Their keys are pinned here when the codes are shown. */
  approvers: PairedDevice[];
  /** On a device with the key: the devices asking for it. */
  requests: PairedDevice[];
  /** Shown once, right after this device made the book key. */
  recoveryKeyToShow: string | undefined;
  dismissed: boolean;
  dismiss(): void;
  recoveryKeySeen(): void;
}

export const useBookKey = create<BookKeyState>((set) => ({
  status: 'unknown',
  approvers: [],
  requests: [],
  recoveryKeyToShow: undefined,
  dismissed: false,
  dismiss: () => set({ dismissed: true }),
  recoveryKeySeen: () => set({ recoveryKeyToShow: undefined }),
}));

export function resetBookKey(): void {
  useBookKey.setState({ status: 'unknown', approvers: [], requests: [], recoveryKeyToShow: undefined, dismissed: false });
  publishedThisRun = false;
}

let publishedThisRun = false;

async function deviceKeys(): Promise<{ privateKey: WebCryptoKey; publicKey: string }> {
  let pair = await localDb.getMeta('deviceKeyPair');
  if (pair === undefined) {
    pair = await generateDeviceKeyPair();
    await localDb.setMeta('deviceKeyPair', pair);
  }
  return { privateKey: pair.privateKey, publicKey: await exportDevicePublicKey(pair.publicKey) };
}

const notFound = (error: unknown) => error instanceof ApiFailure && error.status === 404;

async function paired(devices: KeyDeviceView[], state: KeyDeviceView['state'], myPublicKey: string): Promise<PairedDevice[]> {
  const others = devices.filter((device) => !device.current && device.state === state);
  return Promise.all(others.map(async (device) => ({ deviceId: device.deviceId, name: device.name, publicKey: device.publicKey, code: await verificationCode(myPublicKey, device.publicKey) })));
}

let preparing: Promise<WebCryptoKey | undefined> | undefined;

/**
 * Run at every catch-up before the book is pulled or uploaded: the book key of this device, or undefined
 * while it waits for one. The first device of an account makes the key (and a recovery key to show once).
 * One run at a time: an import racing the first catch-up must not make a second device key pair or book key.
 */
export function prepareBookKey(): Promise<WebCryptoKey | undefined> {
  preparing ??= prepareOnce().finally(() => {
    preparing = undefined;
  });
  return preparing;
}

async function prepareOnce(): Promise<WebCryptoKey | undefined> {
  const mine = await deviceKeys();
  if (!publishedThisRun) {
    await api().publishDeviceKey(mine.publicKey);
    publishedThisRun = true;
  }
  const stored = await localDb.getMeta('bookKey');
  if (stored !== undefined) {
    useBookKey.setState({ status: 'ready' });
    await refreshRequests();
    return stored;
  }
  const received = await receiveApprovedKey();
  if (received !== undefined) return received;
  const recovery = await api().recovery().catch((error: unknown) => (notFound(error) ? undefined : Promise.reject(error)));
  if (recovery === undefined) {
    const created = await createBookKey(mine);
    if (created !== undefined) return created;
  }
  if (useBookKey.getState().status !== 'rejected') useBookKey.setState({ status: 'needs-key' });
  await refreshApprovers();
  return undefined;
}

async function createBookKey(mine: { privateKey: WebCryptoKey; publicKey: string }): Promise<WebCryptoKey | undefined> {
  const userId = useApp.getState().session?.userId;
  if (userId === undefined) return undefined;
  const bookKey = await generateBookKey();
  const recoveryKey = createRecoveryKey();
  try {
    await api().saveRecovery(await wrapBookKeyForRecovery(bookKey, recoveryKey, userId));
  } catch (error) {
    // Another device made the account's key first: this one asks for it like any new device.
    if (error instanceof ApiFailure && error.code === 'recovery_exists') return undefined;
    throw error;
  }
  await keepBookKey(bookKey, mine);
  // Names this device already had go up sealed now. A device with none uploads nothing: its empty book
  // would replace one uploaded from elsewhere (the CLI, another browser before this feature).
  if ((await localDb.people.count()) > 0) await localDb.setMeta('addressBookDirty', true);
  useBookKey.setState({ recoveryKeyToShow: recoveryKey });
  return bookKey;
}

/** Stores the key on this device and records it as a holder (so it may approve the next device). */
async function keepBookKey(bookKey: WebCryptoKey, mine: { privateKey: WebCryptoKey; publicKey: string }): Promise<void> {
  const selfWrap = await wrapBookKeyForDevice(bookKey, mine, mine.publicKey);
  const self = (await api().keyDevices()).find((device) => device.current);
  if (self !== undefined) await api().approveDevice(self.deviceId, mine.publicKey, selfWrap);
  await localDb.setMeta('bookKey', bookKey);
  useBookKey.setState({ status: 'ready', approvers: [] });
}

/** After an approval: unwrap with the key of the device whose code was shown, then open the whole book. */
export async function receiveApprovedKey(): Promise<WebCryptoKey | undefined> {
  const answer = await api().deviceBookKey().catch((error: unknown) => (notFound(error) ? undefined : Promise.reject(error)));
  if (answer === undefined) return undefined;
  const mine = await deviceKeys();
  if (useBookKey.getState().approvers.length === 0) await refreshApprovers();
  const sender = answer.fromDeviceId === (await currentDeviceId()) ? mine.publicKey : useBookKey.getState().approvers.find((device) => device.deviceId === answer.fromDeviceId)?.publicKey;
  if (sender === undefined) return undefined;
  const bookKey = await unwrapBookKeyFromDevice(answer.wrappedKey, mine, sender);
  await localDb.setMeta('bookKey', bookKey);
  useBookKey.setState({ status: 'ready', approvers: [] });
  await openWholeBook(bookKey);
  return bookKey;
}

async function currentDeviceId(): Promise<string | undefined> {
  return (await api().keyDevices()).find((device) => device.current)?.deviceId;
}

export async function restoreWithRecoveryKey(recoveryKey: string): Promise<void> {
  const userId = useApp.getState().session?.userId;
  if (userId === undefined) return;
  const recovery = await api().recovery();
  const bookKey = await unwrapBookKeyWithRecovery(recovery.wrappedKey, recoveryKey, userId);
  await keepBookKey(bookKey, await deviceKeys());
  await openWholeBook(bookKey);
}

export async function refreshApprovers(): Promise<void> {
  const mine = await deviceKeys();
  useBookKey.setState({ approvers: await paired(await api().keyDevices(), 'approved', mine.publicKey) });
}

export async function refreshRequests(): Promise<void> {
  if (useBookKey.getState().status !== 'ready') return;
  const mine = await deviceKeys();
  useBookKey.setState({ requests: await paired(await api().keyDevices(), 'pending', mine.publicKey) });
}

export async function approveRequest(request: PairedDevice): Promise<void> {
  const bookKey = await localDb.getMeta('bookKey');
  if (bookKey === undefined) return;
  await api().approveDevice(request.deviceId, request.publicKey, await wrapBookKeyForDevice(bookKey, await deviceKeys(), request.publicKey));
  await refreshRequests();
}

export async function rejectRequest(request: PairedDevice): Promise<void> {
  await api().rejectDevice(request.deviceId);
  await refreshRequests();
}

/** Asks again after a rejection (publishing the key again makes it pending). */
export async function askAgain(): Promise<void> {
  await api().publishDeviceKey((await deviceKeys()).publicKey);
  useBookKey.setState({ status: 'needs-key' });
  await refreshApprovers();
}

/**
 * This device was signed out or blocked from another one: the server took its wrapped key back, so it
 * forgets the key too, and a later sign-in asks for approval again like any new device.
 */
export async function forgetLocalKeys(): Promise<void> {
  await Promise.all([localDb.deleteMeta('bookKey'), localDb.deleteMeta('deviceKeyPair')]);
  resetBookKey();
}

export function markRejected(): void {
  if (useBookKey.getState().status === 'needs-key') useBookKey.setState({ status: 'rejected' });
}

/** Every sealed entry of the server's book, opened into this device's list (a device just given the key). */
export async function openWholeBook(bookKey: WebCryptoKey): Promise<void> {
  const snapshot = await api().addressBook();
  await applySealedEntries(bookKey, snapshot.entries);
}

/** Opens entries added or changed on another device and stores them; entries that do not open are left as they are. */
export async function applySealedEntries(bookKey: WebCryptoKey, entries: readonly { ref: string; sealed?: string | undefined }[]): Promise<void> {
  const sealed = entries.filter((entry): entry is { ref: string; sealed: string } => entry.sealed !== undefined);
  if (sealed.length === 0) return;
  const groups = await localDb.groups.toArray();
  const existing = new Map((await localDb.people.bulkGet(sealed.map((entry) => entry.ref))).flatMap((person) => (person === undefined ? [] : [[person.ref, person] as const])));
  const people = [];
  for (const entry of sealed) {
    const details = await openPerson(bookKey, entry.ref, entry.sealed);
    if (details === undefined) continue;
    const { person, newGroups } = personFromDetails(entry.ref, details, existing.get(entry.ref), groups);
    groups.push(...newGroups);
    if (newGroups.length > 0) await localDb.groups.bulkPut(newGroups);
    people.push(person);
  }
  await localDb.people.bulkPut(people);
  await useContacts.getState().load();
}
