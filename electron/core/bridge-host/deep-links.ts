import { randomBytes } from 'node:crypto';
import type { HandoffReceiver } from '../accounts/index.js';
import { AccountsError } from '../accounts/index.js';

export const DESKTOP_PROTOCOL = 'switchboard';

export type DeepLink =
  | { kind: 'oauth-done'; nonce: string; handoff?: string; error?: string }
  | { kind: 'open' };

/**
 * Reads a `switchboard://` link the OS handed us (a second instance's argv on Windows and Linux,
 * `open-url` on macOS). Anything else, including links to paths we do not know, is ignored: the
 * link comes from whatever web page the browser was on.
 */
export function parseDeepLink(raw: string): DeepLink | undefined {
  if (raw.length > 4096) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${DESKTOP_PROTOCOL}:`) return undefined;
  // switchboard://oauth/done parses as host "oauth", path "/done".
  const route = `${url.host}${url.pathname}`.replace(/\/+$/, '');
  if (route === '' || route === 'open') return { kind: 'open' };
  if (route !== 'oauth/done') return undefined;
  const nonce = url.searchParams.get('nonce') ?? '';
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return undefined;
  const handoff = url.searchParams.get('handoff') ?? undefined;
  const error = url.searchParams.get('error') ?? undefined;
  return { kind: 'oauth-done', nonce, ...(handoff ? { handoff } : {}), ...(error ? { error } : {}) };
}

/** The first `switchboard://` argument of a command line (how Windows and Linux pass the link). */
export function deepLinkInArgv(argv: readonly string[]): string | undefined {
  return argv.find((argument) => argument.startsWith(`${DESKTOP_PROTOCOL}://`));
}

/**
 * The OAuth handoff through the system browser's redirect to `switchboard://oauth/done`, the
 * alternative to the loopback listener that `createAccounts` accepts. A random nonce in `returnTo`
 * ties the returning link to this binding; links with another nonce are ignored.
 */
export class DeepLinkHandoffs {
  private readonly waiting = new Map<string, { resolve(handoff: string): void; reject(error: Error): void; timer: NodeJS.Timeout }>();

  receiver(options: { timeoutMs?: number } = {}): HandoffReceiver {
    const nonce = randomBytes(18).toString('base64url');
    const timeoutMs = options.timeoutMs ?? 10 * 60_000;
    const outcome = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(nonce);
        reject(new AccountsError('expired', 'the browser did not come back within the time allowed'));
      }, timeoutMs);
      this.waiting.set(nonce, { resolve, reject, timer });
    });
    outcome.catch(() => undefined);
    return {
      returnTo: `${DESKTOP_PROTOCOL}://oauth/done?nonce=${nonce}`,
      wait: () => outcome,
      close: async () => {
        const entry = this.waiting.get(nonce);
        if (entry !== undefined) clearTimeout(entry.timer);
        this.waiting.delete(nonce);
      },
    };
  }

  /** Answers true when the link finished a binding that was waiting for it. */
  deliver(link: DeepLink): boolean {
    if (link.kind !== 'oauth-done') return false;
    const entry = this.waiting.get(link.nonce);
    if (entry === undefined) return false;
    clearTimeout(entry.timer);
    this.waiting.delete(link.nonce);
    if (link.handoff !== undefined) entry.resolve(link.handoff);
    else entry.reject(new AccountsError(link.error === 'access_denied' ? 'access_denied' : 'provider_error', `the provider answered ${link.error ?? 'nothing'}`));
    return true;
  }
}
