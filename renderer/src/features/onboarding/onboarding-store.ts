import { create } from 'zustand';
import { BridgeError, type StoredSession } from '#common/bridge/index.js';
import type { SessionResponse } from '#common/contract/identity.js';
import { parsePhone } from '#common/phone/phone.js';
import { normaliseCodeInput, normalisePhoneInput } from '#common/text/typed-digits.js';
import { ApiFailure } from '../../api/failure.js';
import type { SessionCarrier } from '../../api/server-api.js';
import { api, useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { thisDevice } from '../../app/device.js';
import { enterSignedIn } from '../../app/session.js';
import { regionFromLocale } from './regions.js';

export type OnboardingStep = 'phone' | 'code' | 'password';

interface OnboardingState {
  step: OnboardingStep;
  region: string;
  number: string;
  e164: string;
  usePassword: boolean;
  verificationId: string | undefined;
  resendAt: number;
  /** When the server asked us to wait (retryAfter) before the next try; 0 when it did not. */
  retryAt: number;
  /** The code last sent for checking: the same digits are never checked twice (one attempt per code). */
  lastTried: string | undefined;
  /** This code can no longer be checked (no tries left, or expired): only a new code helps. */
  exhausted: boolean;
  busy: boolean;
  error: unknown;
  /**
   * The development outbox: undefined when the server does not serve `routes.devSms` (a real SMS provider),
   * '' while waiting for the message, else the code.
   */
  devCode: string | undefined;
  setRegion(region: string): void;
  setNumber(number: string): void;
  setUsePassword(usePassword: boolean): void;
  /** In a browser: keep the session across browser restarts (30 days after the last use) or end it with the browser. */
  keepSignedIn: boolean;
  setKeepSignedIn(keep: boolean): void;
  sendCode(): Promise<void>;
  verify(code: string): Promise<void>;
  signInWithPassword(password: string): Promise<void>;
  setPassword(password: string): Promise<void>;
  finish(): Promise<void>;
  backToPhone(): void;
}

/** A signed-in session waiting for the optional password step; `keptByHost` when the desktop core holds it. */
let pendingSession: { stored: StoredSession; created: boolean; keptByHost: boolean } | undefined;

/** A browser holds its session in an HttpOnly cookie. */
function cookieCarrier(keepSignedIn: boolean): SessionCarrier {
  return { session: 'cookie', keepSignedIn };
}

/**
 * Signs in. On the desktop the core makes the call and keeps the session's token (it never reaches the
 * window, which gets a short-lived delegation); a browser calls the API and gets an HttpOnly cookie.
 */
async function signInWith(request: { ticket: string } | { phone: string; password: string }, keepSignedIn: boolean): Promise<{ stored: StoredSession; created: boolean; keptByHost: boolean }> {
  if (useApp.getState().info?.kind === 'desktop') {
    const result = await bridge().session.signIn({ ...request, device: thisDevice() });
    return { stored: result.session, created: result.created, keptByHost: true };
  }
  const answer: SessionResponse =
    'ticket' in request
      ? await api().createSession(request.ticket, thisDevice(), cookieCarrier(keepSignedIn))
      : await api().passwordSession(request.phone, request.password, thisDevice(), cookieCarrier(keepSignedIn));
  return { stored: storedFrom(answer), created: answer.created, keptByHost: false };
}

function storedFrom(session: SessionResponse): StoredSession {
  return { ...(session.token === undefined ? {} : { token: session.token }), userId: session.user.id, phone: session.user.phone };
}
let pollTimer: ReturnType<typeof setTimeout> | undefined;

function localFailure(code: string, message: string): ApiFailure {
  return new ApiFailure(400, code, message);
}

/** The wait a 429 carries (seconds), as a deadline on this clock; 0 when there is none. */
function retryDeadline(error: unknown): number {
  const retryAfter = error instanceof ApiFailure ? error.details.retryAfter : error instanceof BridgeError ? error.retryAfter : undefined;
  if (typeof retryAfter !== 'number') return 0;
  return Date.now() + retryAfter * 1000;
}

/** True when the code of this verification cannot succeed any more, whatever is typed. */
function codeIsSpent(error: unknown): boolean {
  if (!(error instanceof ApiFailure)) return false;
  return error.code === 'too_many_attempts' || error.code === 'expired' || error.code === 'not_found' || error.details.attemptsLeft === 0;
}

export const useOnboarding = create<OnboardingState>((set, get) => {
  /** Reads the outbox until the new code arrives; stops at once when the server has no outbox. */
  function pollDevOutbox(phone: string, previous: string | undefined, attempt = 0): void {
    clearTimeout(pollTimer);
    void api()
      .devSmsCode(phone)
      .then((code) => {
        if (get().e164 !== phone || get().step !== 'code') return;
        if (code === undefined) return set({ devCode: undefined });
        if (code !== '' && code !== previous) return set({ devCode: code });
        set({ devCode: '' });
        if (attempt < 20) pollTimer = setTimeout(() => pollDevOutbox(phone, previous, attempt + 1), 750);
      })
      .catch(() => set({ devCode: undefined }));
  }

  async function signedIn(session: { stored: StoredSession; created: boolean; keptByHost: boolean }): Promise<void> {
    pendingSession = session;
    if (!session.created) return get().finish();
    // The optional password step needs a credential for `routes.setPassword`.
    useApp.setState({ session: session.stored });
    set({ step: 'password', busy: false, error: undefined });
  }

  return {
    step: 'phone',
    region: regionFromLocale(navigator.languages),
    number: '',
    e164: '',
    usePassword: false,
    verificationId: undefined,
    resendAt: 0,
    retryAt: 0,
    lastTried: undefined,
    exhausted: false,
    busy: false,
    error: undefined,
    devCode: undefined,
    setRegion: (region) => set({ region, error: undefined }),
    setNumber: (number) => set({ number, error: undefined }),
    setUsePassword: (usePassword) => set({ usePassword, error: undefined }),
    keepSignedIn: true,
    setKeepSignedIn: (keepSignedIn) => set({ keepSignedIn }),

    async sendCode() {
      if (get().busy) return;
      const parsed = parsePhone(normalisePhoneInput(get().number), get().region);
      if (!parsed.ok) return set({ error: localFailure('invalid_phone', parsed.reason) });
      set({ busy: true, error: undefined, e164: parsed.e164 });
      const previousCode = get().devCode;
      try {
        const started = await api().startVerification(parsed.e164);
        set({
          step: 'code',
          verificationId: started.verificationId,
          resendAt: Date.now() + started.resendIn * 1000,
          retryAt: 0,
          lastTried: undefined,
          exhausted: false,
          busy: false,
          devCode: '',
        });
        pollDevOutbox(parsed.e164, previousCode);
      } catch (error) {
        const retryAt = retryDeadline(error);
        // A refused resend keeps the code step (and its countdown) rather than sending the user back.
        set({ busy: false, error, ...(retryAt > 0 ? { retryAt, resendAt: retryAt } : {}) });
      }
    },

    async verify(typed) {
      const code = normaliseCodeInput(typed);
      const { verificationId, busy, lastTried, exhausted } = get();
      // Auto-submit on the sixth digit and Enter both land here: one check per code entered.
      if (verificationId === undefined || busy || exhausted || code === lastTried) return;
      if (!/^\d{6}$/.test(code)) return set({ error: localFailure('invalid_code', 'six digits') });
      set({ busy: true, error: undefined, lastTried: code });
      try {
        const { ticket } = await api().checkCode(verificationId, code);
        await signedIn(await signInWith({ ticket }, get().keepSignedIn));
      } catch (error) {
        // Only a wrong code was counted: a lost connection or a server fault leaves the same digits retryable.
        const counted = error instanceof ApiFailure && error.code === 'invalid_code';
        const retryAt = retryDeadline(error);
        // A locked number cannot get a new code before the lock ends either: the resend waits as long.
        set({ busy: false, error, exhausted: codeIsSpent(error), retryAt, resendAt: Math.max(get().resendAt, retryAt), lastTried: counted ? code : undefined });
      }
    },

    async signInWithPassword(password) {
      if (get().busy) return;
      const parsed = parsePhone(normalisePhoneInput(get().number), get().region);
      if (!parsed.ok) return set({ error: localFailure('invalid_phone', parsed.reason) });
      set({ busy: true, error: undefined });
      try {
        await signedIn(await signInWith({ phone: parsed.e164, password }, get().keepSignedIn));
      } catch (error) {
        set({ busy: false, error });
      }
    },

    async setPassword(password) {
      set({ busy: true, error: undefined });
      try {
        await api().setPassword(password);
        await get().finish();
      } catch (error) {
        set({ busy: false, error });
      }
    },

    async finish() {
      const session = pendingSession;
      pendingSession = undefined;
      if (session !== undefined) await enterSignedIn(session.stored, { keptByHost: session.keptByHost });
      clearTimeout(pollTimer);
      set({ step: 'phone', busy: false, error: undefined, verificationId: undefined, devCode: undefined, number: '' });
    },

    backToPhone() {
      clearTimeout(pollTimer);
      set({ step: 'phone', error: undefined, verificationId: undefined, devCode: undefined, lastTried: undefined, exhausted: false, retryAt: 0 });
    },
  };
});
