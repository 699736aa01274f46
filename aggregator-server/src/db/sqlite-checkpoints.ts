import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// Plain CommonJS, evaluated in the worker: it needs nothing of ours, only better-sqlite3.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/** Pages past which the serving connection checkpoints by itself, should the background one stall. */
export const fallbackCheckpointPages = 20_000;

/**
 * WAL checkpoints on a thread of their own. SQLite checkpoints inside the commit that crosses
 * `wal_autocheckpoint` pages, on whatever thread commits: in the message benchmark that was a 25 ms stop
 * of the event loop every few hundred messages, which set the p99. A PASSIVE checkpoint from a second
 * connection copies the WAL back without ever blocking the writer, so the serving connection keeps only
 * a far-off fallback.
 */
export function startBackgroundCheckpoints(file: string, everyMs = 500): { stop(): Promise<void> } {
  const worker = new Worker(workerSource, { eval: true, workerData: { file, driver: require.resolve('better-sqlite3'), everyMs } });
  // A worker that fails leaves the fallback in charge; it must never take the server down.
  worker.on('error', () => undefined);
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (worker.threadId === -1) return resolve();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        // A stuck checkpoint must not hold the shutdown.
        setTimeout(() => void worker.terminate(), 2000).unref();
      }),
  };
}
