import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CursorKind, DirectAppend, DirectAppendResult } from './messages.repository.js';
import { directKey } from './messages.kysely-hot-path.js';
import type { WriteTurns } from '../../db/sqlite-write-turns.js';

const require = createRequire(import.meta.url);

type AppendItem = [
  kind: 'append',
  id: string,
  conversationId: string,
  directKey: string,
  senderId: string,
  receiverId: string,
  receiverPhone: string | null,
  senderDeviceId: string | null,
  clientId: string,
  body: string,
  route: string,
  sms: number,
  sentAt: number,
];
type CursorItem = [kind: CursorKind, userId: string, deviceId: string, conversationId: string, upTo: number];
type Answer =
  | ['stored', seq: number, senderPhone: string]
  | ['refused']
  | ['repeated']
  | ['moved', now: number, others: string[]]
  | ['no_conversation']
  | ['failed', message: string, code: string];
type FromWorker = 'ready' | { answers: Answer[] } | { failed: { message: string; code: string } };
type Waiting = { item: AppendItem | CursorItem; resolve: (answer: Answer) => void; reject: (error: unknown) => void };

/** An error the writer's connection reported, with SQLite's code (`SQLITE_FULL`, ...). */
export class MessageWriterError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * The embedded database's side of the two statements every message costs (the send, and each device's
 * acknowledgement), the same rules as the PostgreSQL statements beside them.
 *
 * They run on a thread of their own (`messages.sqlite-writer.worker.mjs`) with its own connection to the
 * same file: SQLite's statements and commits were a fifth of the socket thread's time under load, and
 * every commit stopped the event loop while its pages went to the WAL. Group commit: whatever arrives
 * while a batch is on the thread goes as the next batch, one transaction, each item in a savepoint of
 * its own so that one failing undoes only itself. Nobody is answered before the commit. A batch goes
 * in a write turn (`WriteTurns`) shared with the server's connection, so the two never meet on
 * SQLite's lock, and a send never lands inside a transaction of the rest of the server.
 */
export class SqliteMessageWriter {
  private queue: Waiting[] = [];
  private inFlight: Waiting[] | undefined;
  private worker: Worker | undefined;
  private scheduled = false;
  /** Taking the write turn for the next batch. */
  private starting = false;
  private endTurn: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly file: string,
    private readonly turns: WriteTurns,
  ) {}

  appendDirect(append: DirectAppend): Promise<DirectAppendResult> {
    const m = append.message;
    const item: AppendItem = [
      'append',
      m.id,
      m.conversationId,
      directKey([m.senderId, append.receiverId]),
      m.senderId,
      append.receiverId,
      append.receiverPhone ?? null,
      m.senderDeviceId ?? null,
      m.clientId,
      JSON.stringify(m.body),
      m.route,
      m.sms ? 1 : 0,
      m.sentAt,
    ];
    return this.submit(item).then((answer): DirectAppendResult => {
      if (answer[0] === 'stored') return { kind: 'stored', message: { ...m, seq: answer[1] }, senderPhone: answer[2] };
      if (answer[0] === 'refused' || answer[0] === 'repeated') return { kind: answer[0] };
      throw new Error(`the message writer answered a send with ${answer[0]}`);
    });
  }

  advanceMemberCursor(cursor: { kind: CursorKind; userId: string; deviceId: string; conversationId: string; upTo: number }): Promise<{ now: number; others: string[] } | undefined> {
    return this.submit([cursor.kind, cursor.userId, cursor.deviceId, cursor.conversationId, cursor.upTo]).then((answer) => {
      if (answer[0] === 'moved') return { now: answer[1], others: answer[2] };
      if (answer[0] === 'no_conversation') return undefined;
      throw new Error(`the message writer answered a cursor with ${answer[0]}`);
    });
  }

  /** Waits for what was submitted, then stops the thread and its connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight || this.starting || this.queue.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      const worker = this.worker;
      this.worker = undefined;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      // A thread stuck on a lock must not hold the shutdown.
      const stuck = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(stuck);
    })();
    return this.closing;
  }

  private submit(item: AppendItem | CursorItem): Promise<Answer> {
    if (this.closing) return Promise.reject(new MessageWriterError('the server is shutting down; try again', 'closing'));
    return new Promise<Answer>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** The next batch leaves after this turn of the event loop, so that the turn's sends share it. */
  private schedule(): void {
    if (this.inFlight || this.starting || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight || this.starting || this.queue.length === 0) return;
    this.starting = true;
    void this.turns.take().then((endTurn) => {
      this.starting = false;
      this.endTurn = endTurn;
      this.send();
    });
  }

  /** The turn is ours: what waited until now goes, so a turn held by the server's connection makes a bigger batch. */
  private send(): void {
    const batch = this.queue;
    this.queue = [];
    this.inFlight = batch;
    const worker = this.thread();
    // Held while a batch is out, so a process whose only work left is a send does not exit under it.
    worker.ref();
    worker.postMessage({ batch: batch.map((waiting) => waiting.item) });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./messages.sqlite-writer.worker.mjs', import.meta.url), {
      workerData: { file: this.file, driver: require.resolve('better-sqlite3') },
      name: 'sqlite-message-writer',
    });
    worker.on('message', (message: FromWorker) => {
      if (message === 'ready') return;
      if ('answers' in message) this.settle((waiting, index) => answer(waiting, message.answers[index]));
      else this.settle((waiting) => waiting.reject(new MessageWriterError(message.failed.message, message.failed.code)));
    });
    // A thread that fails (the file gone, a statement that does not prepare) fails what it held; the next send starts another.
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.settle((waiting) => waiting.reject(error));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.worker === worker) lost(new Error(`the message writer stopped (${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private settle(each: (waiting: Waiting, index: number) => void): void {
    const batch = this.inFlight ?? [];
    this.inFlight = undefined;
    this.endTurn?.();
    this.endTurn = undefined;
    batch.forEach(each);
    if (this.queue.length > 0) this.flush();
    else {
      this.worker?.unref();
      this.idle?.();
    }
  }
}

function answer(waiting: Waiting, given: Answer | undefined): void {
  if (given === undefined) waiting.reject(new Error('the message writer gave no answer'));
  else if (given[0] === 'failed') waiting.reject(new MessageWriterError(given[1], given[2]));
  else waiting.resolve(given);
}
