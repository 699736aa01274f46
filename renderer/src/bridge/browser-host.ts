import type { KeyValueStore, PickedFile, WebHost } from '#common/bridge/index.js';
import { csrfCookie } from '../api/session-cookie.js';
import { bundledPlugins } from './bundled-plugins.js';

const webClientVersion = '0.1.0';

function localStoreOrUndefined(): KeyValueStore | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** A file dialog through a detached input, for callers that have no input element of their own. */
function pickWithInput(extensions: readonly string[]): Promise<PickedFile | null> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = extensions.map((extension) => `.${extension}`).join(',');
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file === undefined) return resolve(null);
      file.arrayBuffer().then((buffer) => resolve({ name: file.name, mimeType: file.type, bytes: new Uint8Array(buffer) }), reject);
    });
    input.addEventListener('cancel', () => resolve(null));
    input.click();
  });
}

export function createBrowserHost(): WebHost {
  return {
    origin: window.location.origin,
    version: webClientVersion,
    hasSessionCookie: () => csrfCookie() !== undefined,
    preferenceStore: localStoreOrUndefined(),
    plugins: bundledPlugins(),
    openUrl(url) {
      if (url.startsWith('mailto:')) {
        // The browser hands mailto: to the mail app; a new tab would only stay blank.
        const link = document.createElement('a');
        link.href = url;
        link.click();
        return true;
      }
      // noopener: the network's page must not get a handle on our window (and with it our origin).
      // With noopener, window.open answers null whether or not a blocker interfered, so there is nothing to test.
      window.open(url, '_blank', 'noopener,noreferrer');
      return true;
    },
    async writeClipboard(text) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // No permission, or the page lost focus: the UI shows the handle to copy by hand.
        return false;
      }
    },
    pickFile: pickWithInput,
  };
}
