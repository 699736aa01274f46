import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountsError } from './server-api.js';

/** Where the browser lands after the provider, and how the desktop learns the handoff id from it. */
export type HandoffReceiver = {
  /** Sent to the server as `returnTo`. */
  returnTo: string;
  /** The handoff id, or an AccountsError with the code the server put in the redirect. */
  wait(): Promise<string>;
  close(): Promise<void>;
};

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>Switchboard</title><main><h1>${title}</h1><p>${text}</p></main>`;

/**
 * RFC 8252 section 7.3: a one-shot HTTP listener on 127.0.0.1 with an ephemeral port. The path carries a
 * random segment so that a stray local request cannot end the wait; the handoff it delivers is useless
 * without this device's session anyway.
 */
export async function startLoopbackReceiver(options: { timeoutMs?: number } = {}): Promise<HandoffReceiver> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const pathname = `/oauth/done/${randomBytes(16).toString('base64url')}`;
  let settle: { resolve(handoff: string): void; reject(error: Error): void } | undefined;
  const outcome = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  outcome.catch(() => undefined);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== pathname) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const handoff = url.searchParams.get('handoff');
    const error = url.searchParams.get('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    if (handoff) {
      res.end(page('Account bound', 'Switchboard has the account. You can close this tab.'));
      settle?.resolve(handoff);
    } else {
      const code = error && /^[a-z_]{1,64}$/.test(error) ? error : 'invalid_response';
      res.end(page('Binding did not finish', `The network answered <code>${code}</code>. You can close this tab and try again.`));
      settle?.reject(new AccountsError(code, code === 'access_denied' ? 'the binding was declined in the browser' : `the binding failed: ${code}`));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const timer = setTimeout(() => settle?.reject(new AccountsError('timeout', 'no answer from the browser in time; start binding again')), timeoutMs);
  timer.unref();

  return {
    returnTo: `http://127.0.0.1:${port}${pathname}`,
    wait: () => outcome,
    close: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
