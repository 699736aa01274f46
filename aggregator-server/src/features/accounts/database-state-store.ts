import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type OAuth2Strategy from 'passport-oauth2';
import type { Clock } from '../../platform/clock.js';
import { generateToken, hashToken } from '../../platform/crypto.js';
import type { AccountsRepository, OAuthStateRecord } from './accounts.repository.js';
import type { Sealer } from './sealing.js';

export const verifierContext = (flowId: string) => `pkce-verifier:${flowId}`;

/** RFC 7636: a fresh code verifier and its S256 challenge. */
function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * passport-oauth2's state store, kept in the database instead of express-session so that the callback may
 * land on any node. It is the store form @types/passport-oauth2 describes (store(req, meta, callback),
 * verify(req, state, meta, callback)); PKCE rides along through the strategy's own hooks
 * (`authorizationParams`, `tokenParams`, see oauth-browser.router.ts), one strategy per request:
 * `beginFlow` makes the verifier for an authorize request, `store` keeps a random `state` (as a hash)
 * and the sealed verifier with the binding attempt, and `verify` takes them back exactly once and hands
 * the verifier to the code exchange of that request (`verifierFor`).
 */
export class DatabaseStateStore implements OAuth2Strategy.StateStore {
  /** Per request, weakly: a request that fails half-way leaves nothing behind. */
  private readonly pendingFlow = new WeakMap<Request, { flowId: string; verifier: string }>();
  private readonly takenVerifier = new WeakMap<Request, string>();

  constructor(private readonly deps: { repo: AccountsRepository; sealer: Sealer; clock: Clock }) {}

  /** The authorize route names the binding attempt; answers the PKCE challenge for the provider. */
  beginFlow(req: Request, flowId: string): { codeChallenge: string } {
    const { verifier, challenge } = pkcePair();
    this.pendingFlow.set(req, { flowId, verifier });
    return { codeChallenge: challenge };
  }

  /** The verifier `verify` took back for this callback request, for the code exchange. */
  verifierFor(req: Request): string | undefined {
    return this.takenVerifier.get(req);
  }

  // passport-oauth2 picks the form by arity: three parameters. `meta` and `callback` are optional only so
  // that the method also fits the two-parameter overload of the typing; passport always passes them.
  store(req: Request, _meta?: unknown, callback?: OAuth2Strategy.StateStoreStoreCallback): void {
    if (typeof callback !== 'function') throw new TypeError('passport-oauth2 calls store(req, meta, callback)');
    const pending = this.pendingFlow.get(req);
    this.pendingFlow.delete(req);
    if (pending === undefined) {
      callback(new Error('the authorize route must call beginFlow(req, flowId) first'), undefined);
      return;
    }
    const handle = generateToken();
    const sealedVerifier = this.deps.sealer.seal(pending.verifier, verifierContext(pending.flowId));
    this.deps.repo.attachState(pending.flowId, hashToken(handle), sealedVerifier).then(
      (attached) => (attached ? callback(null, handle) : callback(new Error('this binding attempt already went to the provider'), undefined)),
      (error: Error) => callback(error, undefined),
    );
  }

  verify(req: Request, providedState: string, _meta?: unknown, callback?: OAuth2Strategy.StateStoreVerifyCallback): void {
    if (typeof callback !== 'function') throw new TypeError('passport-oauth2 calls verify(req, state, meta, callback)');
    if (typeof providedState !== 'string' || providedState.length === 0 || providedState.length > 256) {
      callback(null, false, { message: 'invalid_state' });
      return;
    }
    this.deps.repo.takeState(hashToken(providedState), this.deps.clock.now()).then(
      (flow: OAuthStateRecord | undefined) => {
        const verifier = flow?.sealedVerifier ? this.deps.sealer.open(flow.sealedVerifier, verifierContext(flow.id)) : undefined;
        // Without the verifier there is no PKCE exchange, and without PKCE no exchange at all.
        if (!flow || !verifier) {
          callback(null, false, { message: 'invalid_state' });
          return;
        }
        this.takenVerifier.set(req, verifier);
        callback(null, true, flow);
      },
      (error: Error) => callback(error, false, undefined),
    );
  }
}
