import { AddressBookError, parseAddressBookAsync } from '#common/address-book/index.js';
import type { ParseReply, ParseRequest } from './worker-protocol.js';

// A dedicated worker: the DOM typings describe `self` as a Window, so name the two members we use.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ParseRequest>) => void) | null;
  postMessage(message: ParseReply): void;
};

/** Parsing off the main thread keeps the list scrolling while a 20,000-contact book is read. */
scope.onmessage = (event) => {
  const { bytes, fileName, mimeType, defaultRegion, encoding } = event.data;
  parseAddressBookAsync(bytes, {
    fileName,
    mimeType,
    defaultRegion,
    ...(encoding === undefined ? {} : { encoding }),
    onProgress: (done, total) => scope.postMessage({ type: 'progress', done, total }),
  }).then(
    (result) => scope.postMessage({ type: 'result', result }),
    (error: unknown) =>
      scope.postMessage(
        error instanceof AddressBookError
          ? { type: 'error', code: error.code, message: error.message }
          : { type: 'error', code: 'parse_failed', message: error instanceof Error ? error.message : String(error) },
      ),
  );
};
