import { AddressBookError, parseAddressBookAsync, type AddressBookImport } from '#common/address-book/index.js';
import type { ParseReply, ParseRequest } from './worker-protocol.js';

export class ImportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFailure';
  }
}

type Progress = (done: number, total: number) => void;

/** Parses in a Web Worker; where workers are unavailable, on the main thread in small slices. */
export function parseAddressBookOffThread(request: ParseRequest, onProgress: Progress, signal: AbortSignal): Promise<AddressBookImport> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./address-book.worker.ts', import.meta.url), { type: 'module', name: 'address-book-parser' });
  } catch {
    return parseOnMainThread(request, onProgress, signal);
  }
  return new Promise((resolve, reject) => {
    const finish = () => {
      worker.terminate();
      signal.removeEventListener('abort', abort);
    };
    const abort = () => {
      finish();
      reject(new ImportFailure('aborted', 'the import was cancelled'));
    };
    signal.addEventListener('abort', abort);
    worker.onmessage = (event: MessageEvent<ParseReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') return onProgress(reply.done, reply.total);
      finish();
      if (reply.type === 'result') resolve(reply.result);
      else reject(new ImportFailure(reply.code, reply.message));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish();
      // The worker script itself failed to load (an old browser, a CSP without worker-src): fall back.
      parseOnMainThread(request, onProgress, signal).then(resolve, reject);
    };
    // The bytes are transferred, not copied: the worker owns them from here.
    const copy = request.bytes.slice();
    worker.postMessage({ ...request, bytes: copy }, [copy.buffer]);
  });
}

async function parseOnMainThread(request: ParseRequest, onProgress: Progress, signal: AbortSignal): Promise<AddressBookImport> {
  try {
    return await parseAddressBookAsync(request.bytes, { ...request, defaultRegion: request.defaultRegion, onProgress, signal });
  } catch (error) {
    if (error instanceof AddressBookError) throw new ImportFailure(error.code, error.message);
    throw error;
  }
}
