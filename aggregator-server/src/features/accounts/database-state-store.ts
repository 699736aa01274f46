import type { Request } from 'express';
import type OAuth2Strategy from 'passport-oauth2';
import type { Clock } from '../../platform/clock.js';
import { generateToken, hashToken } from '../../platform/crypto.js';
import type { AccountsRepository, OAuthStateRecord } from './accounts.repository.js';
import type { Sealer } from './sealing.js';

/** What the authorize route passes as passport's `state` option: which binding attempt this is. */
export type FlowReference = { flowId: string };

type StoreCallback = (error: Error | null, state?: string) => void;
type VerifyCallback = (error: Error | null, verifier: string | false, flow?: OAuthStateRecord | { message: string }) => void;

export const verifierContext = (flowId: string) => `pkce-verifier:${flowId}`;

/**
 * passport-oauth2's state store, kept in the database instead of express-session so that the callback may
 * land on any node. `store` has passport's PKCE arity (req, verifier, state, meta, callback): it keeps a
 * random `state` (as a hash) and the sealed code verifier with the binding attempt. `verify` takes them
 * back exactly once; passport then sends the verifier with the code exchange.
 */
export class DatabaseStateStore {
  constructor(private readonly deps: { repo: AccountsRepository; sealer: Sealer; clock: Clock }) {}

  store(_req: Request, verifier: string, state: FlowReference | undefined, _meta: OAuth2Strategy.Metadata, callback: StoreCallback): void {
    const flowId = state?.flowId;
    if (!flowId) {
      callback(new Error('the authorize route must pass { state: { flowId } }'));
      return;
    }
    const handle = generateToken();
    const sealedVerifier = this.deps.sealer.seal(verifier, verifierContext(flowId));
    this.deps.repo.attachState(flowId, hashToken(handle), sealedVerifier).then(
      (attached) => (attached ? callback(null, handle) : callback(new Error('this binding attempt already went to the provider'))),
      (error: Error) => callback(error),
    );
  }

  verify(_req: Request, providedState: unknown, _meta: OAuth2Strategy.Metadata, callback: VerifyCallback): void {
    if (typeof providedState !== 'string' || providedState.length === 0 || providedState.length > 256) {
      callback(null, false, { message: 'invalid_state' });
      return;
    }
    this.deps.repo.takeState(hashToken(providedState), this.deps.clock.now()).then(
      (flow) => {
        const verifier = flow?.sealedVerifier ? this.deps.sealer.open(flow.sealedVerifier, verifierContext(flow.id)) : undefined;
        // Without the verifier there is no PKCE exchange, and without PKCE no exchange at all.
        if (!flow || !verifier) callback(null, false, { message: 'invalid_state' });
        else callback(null, verifier, flow);
      },
      (error: Error) => callback(error, false),
    );
  }

  /** The typing of @types/passport-oauth2 knows only the non-PKCE arities; the runtime picks by arity. */
  asPassportStore(): OAuth2Strategy.StateStore {
    return this as unknown as OAuth2Strategy.StateStore;
  }
}
