import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';

/** Asks the server for a delegation of the session whose token is given. */
export type Delegate = (sessionToken: string) => Promise<{ token: string; expiresIn: number }>;

export function serverDelegate(serverUrl: string): Delegate {
  return (sessionToken) => new SwitchboardClient({ baseUrl: serverUrl, token: () => sessionToken }).call(routes.delegateSession, {});
}

/** A delegation is renewed this long before it ends, so the window never holds one about to expire. */
const renewBeforeMs = 2 * 60_000;

/**
 * What the window gets instead of the session token (issue 10 item 18): a delegation that acts for the
 * session for ten minutes, ends with it, and cannot make more. The session token itself stays in the
 * core and the keychain. The window asks again (`session.get`) before this one ends.
 */
export class RendererCredential {
  private current: { sessionToken: string; token: string; renewAt: number } | undefined;

  constructor(
    private readonly delegate: Delegate,
    private readonly now: () => number,
  ) {}

  /**
   * A fresh delegation; `undefined` while the server cannot be reached (the window works from its local
   * data and asks again), `'ended'` when the server says the session is over.
   */
  async forSession(sessionToken: string): Promise<string | undefined | 'ended'> {
    const cached = this.current;
    if (cached?.sessionToken === sessionToken && this.now() < cached.renewAt) return cached.token;
    try {
      const delegation = await this.delegate(sessionToken);
      this.current = { sessionToken, token: delegation.token, renewAt: this.now() + Math.max(0, delegation.expiresIn * 1000 - renewBeforeMs) };
      return delegation.token;
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) return 'ended';
      if (error instanceof ApiFailure && (error.status === 0 || error.status >= 500)) return undefined;
      throw error;
    }
  }

  forget(): void {
    this.current = undefined;
  }
}
