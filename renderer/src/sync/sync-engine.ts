import { io, type Socket } from 'socket.io-client';
import { parseAck, validatedListener, type Ack, type ClientToServerEvents, type PresenceSetPayload, type ServerToClientEvents } from '#common/contract/socket-events.js';
import { addressBookLimits } from '#common/contract/contacts.js';
import { ApiFailure } from '../api/failure.js';
import { api, useApp } from '../app/app-store.js';
import { bridge } from '../bridge/bridge.js';
import { localDb } from '../db/local-db.js';
import { useContacts } from '../features/contacts/contacts-store.js';
import { usePresence } from '../features/contacts/presence-store.js';
import { useFeed } from '../features/feed/feed-store.js';
import { toComment, toPost } from '../features/feed/posts-api.js';
import { chatReconnected, startChat, stopChat } from '../features/chat/chat-start.js';
import { applySealedEntries, forgetLocalKeys, markRejected, prepareBookKey, receiveApprovedKey, refreshRequests, resetBookKey, useBookKey } from './book-key.js';
import { sealPerson } from './sealed-people.js';
import type { WebCryptoKey } from '#common/address-book/web-crypto.js';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: RealtimeSocket | undefined;
/** Features with listeners of their own on the one socket (calls); each new socket is handed to them. */
const socketUsers = new Set<(socket: RealtimeSocket) => void>();

/** Calls `attach` with the live socket now (if any) and with every socket made after; returns a stop. */
export function onRealtimeSocket(attach: (socket: RealtimeSocket) => void): () => void {
  socketUsers.add(attach);
  if (socket !== undefined) attach(socket);
  return () => socketUsers.delete(attach);
}
/** Catch-ups and changes made here to the book, one at a time in the order asked (see `changeBook`). */
let bookQueue: Promise<void> = Promise.resolve();

function inBookQueue<T>(task: () => Promise<T>): Promise<T> {
  const run = bookQueue.then(task, task);
  bookQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}
let sessionEnded: () => void = () => undefined;

/**
 * Local first: the UI already shows what IndexedDB holds. This brings it up to date (who is a user,
 * the address-book changes made on other devices), then keeps it live over socket.io, and does the
 * same again after every reconnect.
 */
export function startSync(token: (() => string | undefined) | undefined, onSessionEnded: () => void): void {
  stopSync();
  sessionEnded = onSessionEnded;
  const serverUrl = useApp.getState().info?.serverUrl ?? window.location.origin;
  useApp.getState().setConnection('connecting');
  // WebSocket only: long-polling would need sticky sessions behind a load balancer, and every
  // browser Switchboard supports has WebSocket.
  // A web page's socket signs in with the session cookie the browser sends; the desktop renderer with
  // its short-lived token, read again at each reconnect (the core renews it).
  // The chat keeps what it sends from the send's answer (chat-outbox): the server need not echo it.
  const auth = (send: (data: object) => void) => send({ ownEcho: false, ...(token === undefined ? {} : { token: token() }) });
  const connection: RealtimeSocket = io(serverUrl, { auth, transports: ['websocket'], reconnectionDelayMax: 10_000 });
  socket = connection;
  connection.on('connect', () => {
    useApp.getState().setConnection('online');
    void catchUp();
    void resendMyStatus();
    // The new-posts badge counts what was posted while this device was away.
    void useFeed.getState().loadUnseen();
  });
  // After the listener above, so the chat finds the connection marked online when it sends its outbox.
  startChat(connection);
  connection.on('disconnect', () => useApp.getState().setConnection('offline'));
  connection.on('connect_error', (error) => {
    const data = (error as Error & { data?: { code?: string } }).data;
    if (data?.code === 'unauthorized' || data?.code === 'device_blocked') {
      sessionEnded();
      return;
    }
    useApp.getState().setConnection('offline');
  });
  connection.on('presence', validatedListener('presence', (event) => usePresence.getState().receive(event), ignoreMalformed));
  connection.on('address-book:changed', validatedListener('address-book:changed', () => void catchUp(), ignoreMalformed));
  connection.on('identities', validatedListener('identities', (event) => void useContacts.getState().applyIdentities(event.userId, event.identities), ignoreMalformed));
  // Someone in the book joined: who is a user changed, so the contacts are fetched again.
  connection.on('contacts:changed', validatedListener('contacts:changed', () => void catchUp(), ignoreMalformed));
  // Posts (issue 16): a new post a contact lets me see goes to the top of the feed; a removed one goes.
  connection.on('post', validatedListener('post', (event) => useFeed.getState().receive(toPost(event)), ignoreMalformed));
  connection.on('post:removed', validatedListener('post:removed', (event) => useFeed.getState().drop(event.id), ignoreMalformed));
  // Comments and likes under the posts I may see: counts and open threads follow without a reload.
  connection.on('post:comment', validatedListener('post:comment', (event) => useFeed.getState().receiveComment(toComment(event.comment), event.comments, event.countsVersion), ignoreMalformed));
  connection.on(
    'post:comment:removed',
    validatedListener('post:comment:removed', (event) => useFeed.getState().receiveCommentRemoved(event.postId, event.commentId, event.comments, event.countsVersion), ignoreMalformed),
  );
  connection.on('post:likes', validatedListener('post:likes', (event) => useFeed.getState().receiveLikes(event.postId, event.likes, event.likedByMe, event.countsVersion), ignoreMalformed));
  connection.on('key-exchange:pending', validatedListener('key-exchange:pending', () => void refreshRequests().catch(logKeyExchange), ignoreMalformed));
  connection.on(
    'key-exchange:answered',
    validatedListener(
      'key-exchange:answered',
      (event) => {
        if (useBookKey.getState().status === 'ready') {
          void refreshRequests().catch(logKeyExchange);
          return;
        }
        // Only this device's own wrapped key can be fetched; for another device's answer the fetch finds nothing.
        if (event.state === 'approved') void receiveApprovedKey().then(() => catchUp(), logKeyExchange);
        else void isMyRequest(event.deviceId).then((mine) => mine && markRejected(), logKeyExchange);
      },
      ignoreMalformed,
    ),
  );
  connection.on(
    'session:ended',
    validatedListener(
      'session:ended',
      (event) => {
        if (event.reason !== 'device_revoked' && event.reason !== 'device_blocked') {
          sessionEnded();
          return;
        }
        void forgetLocalKeys().finally(() => sessionEnded());
      },
      ignoreMalformed,
    ),
  );
  for (const attach of socketUsers) attach(connection);
  // The browser knows about a lost network long before socket.io's ping timeout does.
  window.addEventListener('online', reconnectNow);
  window.addEventListener('offline', markOffline);
}

function logKeyExchange(error: unknown): void {
  console.warn('the address-book key exchange failed', error);
}

async function isMyRequest(deviceId: string): Promise<boolean> {
  return (await api().keyDevices()).some((device) => device.current && device.deviceId === deviceId);
}

/** A server event that does not match the shared map is left out, never half-applied. */
function ignoreMalformed(event: string, problem: string): void {
  console.warn(`ignored a malformed '${event}' event from the server: ${problem}`);
}

function markOffline(): void {
  useApp.getState().setConnection('offline');
}

export function stopSync(): void {
  window.removeEventListener('online', reconnectNow);
  window.removeEventListener('offline', markOffline);
  socket?.removeAllListeners();
  socket?.disconnect();
  socket = undefined;
  stopChat();
  resetBookKey();
}

function reconnectNow(): void {
  if (socket === undefined) return;
  if (!socket.connected) {
    socket.connect();
    return;
  }
  // The socket survived the outage: nothing will fire 'connect', so catch up here.
  useApp.getState().setConnection('online');
  void catchUp();
  chatReconnected();
}

/**
 * A change to the book made here (a contact added, edited, deleted, or an Undo), run when no catch-up is
 * running, and holding later ones back until it is done. A catch-up still applying an earlier change (the
 * removal a delete put in the server's log) would otherwise undo this one locally after it was uploaded,
 * leaving the device without a contact the server has.
 */
export function changeBook<T>(change: () => Promise<T>): Promise<T> {
  return inBookQueue(change);
}

/** One catch-up at a time; a second request while one runs waits for it and then runs again. */
export function catchUp(): Promise<void> {
  return inBookQueue(runCatchUp);
}

async function runCatchUp(): Promise<void> {
  try {
    const bookKey = await prepareBookKey();
    await pullAddressBookChanges(bookKey);
    if ((await localDb.getMeta('addressBookDirty')) === true) await uploadAddressBook();
    await useContacts.getState().applyServerContacts(await api().contacts());
    await localDb.setMeta('lastSyncAt', new Date().toISOString());
  } catch (error) {
    if (error instanceof ApiFailure && error.offline) useApp.getState().setConnection('offline');
    else console.warn('catch-up failed', error);
  }
}

/** M9: only the additions and removals made elsewhere travel; a gap in the log means a full snapshot. */
async function pullAddressBookChanges(bookKey: WebCryptoKey | undefined): Promise<void> {
  const since = (await localDb.getMeta('addressBookVersion')) ?? 0;
  const changes = await api().addressBookChanges(since);
  let removed: string[];
  if (changes.complete) {
    removed = changes.changes.filter((change) => change.op === 'remove').map((change) => change.ref);
    // Names and details of entries added or changed on another device arrive sealed with the book key.
    if (bookKey !== undefined) await applySealedEntries(bookKey, changes.changes.filter((change) => change.op === 'add'));
  } else if ((await localDb.getMeta('addressBookDirty')) === true) {
    // This device's book has changes the server has not seen (an offline import, refs renewed by the local
    // database upgrade): it is uploaded whole right after, so nothing here may be dropped for its absence.
    removed = [];
  } else {
    const snapshot = await api().addressBook();
    const present = new Set(snapshot.entries.map((entry) => entry.ref));
    removed = useContacts.getState().people.filter((person) => !present.has(person.ref)).map((person) => person.ref);
    if (bookKey !== undefined) await applySealedEntries(bookKey, snapshot.entries);
  }
  // Names arrive only sealed (opened above with the book key); matched numbers arrive with the contacts call.
  if (removed.length > 0) await useContacts.getState().removeRefs(removed);
  await localDb.setMeta('addressBookVersion', changes.version);
}

/**
 * Sends the whole local book (numbers and refs, M10, with each person's details sealed end to end) and
 * records who is a user. Marked dirty first, so an upload cut short by a lost connection is retried by the
 * next catch-up. A device still waiting for the book key holds its upload back: a whole-book upload without
 * the sealed details would wipe the names the other devices put there.
 */
export async function uploadAddressBook(): Promise<{ entries: number; matches: number }> {
  await localDb.setMeta('addressBookDirty', true);
  const bookKey = useBookKey.getState().status === 'unknown' ? await prepareBookKey() : await localDb.getMeta('bookKey');
  const people = useContacts.getState().people.filter((person) => person.phones.length > 0);
  if (bookKey === undefined) return { entries: people.length, matches: 0 };
  const groups = await localDb.groups.toArray();
  const entries = await Promise.all(
    people.map(async (person) => {
      const phones = [...new Set(person.phones.map((phone) => phone.e164))].slice(0, addressBookLimits.maxPhonesPerEntry);
      const sealed = await sealPerson(bookKey, person, groups);
      return sealed === undefined ? { ref: person.ref, phones } : { ref: person.ref, phones, sealed };
    }),
  );
  const answer = await api().replaceAddressBook(entries);
  await useContacts.getState().applyMatches(answer.matches);
  await localDb.setMeta('addressBookVersion', answer.version);
  await localDb.setMeta('addressBookDirty', false);
  return { entries: entries.length, matches: new Set(answer.matches.map((match) => match.userId)).size };
}

export function emitPresence(payload: PresenceSetPayload): Promise<Ack | 'offline'> {
  const connection = socket;
  if (connection === undefined || !connection.connected) return Promise.resolve('offline');
  return new Promise((resolve) => {
    connection.timeout(10_000).emit('presence:set', payload, (error: Error | null, answer: unknown) => {
      resolve(error === null ? parseAck(answer) : 'offline');
    });
  });
}

/**
 * In a browser the page's socket is the device's only link, so it re-sends my status after every
 * (re)connect. On the desktop the core's own link does that; the page must not, or the two would
 * overwrite each other with different values.
 */
async function resendMyStatus(): Promise<void> {
  if (useApp.getState().info?.capabilities.watcher === true) return;
  const saved = await bridge().status.get();
  await emitPresence({ status: saved.status, text: saved.text });
}
