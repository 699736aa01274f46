import { create } from 'zustand';
import type { SessionResponse } from '../../../../common/contract/identity.js';
import { parsePhone } from '../../../../common/phone/phone.js';
import { ApiFailure } from '../../api/failure.js';
import { api, useApp } from '../../app/app-store.js';
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
  sendCode(): Promise<void>;
  verify(code: string): Promise<void>;
  signInWithPassword(password: string): Promise<void>;
  setPassword(password: string): Promise<void>;
  finish(): Promise<void>;
  backToPhone(): void;
}

let pendingSession: SessionResponse | undefined;
let pollTimer: ReturnType<typeof setTimeout> | undefined;

function localFailure(code: string, message: string): ApiFailure {
  return new ApiFailure(400, code, message);
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

  async function signedIn(session: SessionResponse): Promise<void> {
    pendingSession = session;
    if (!session.created) return get().finish();
    // The optional password step needs the token for `routes.setPassword`.
    useApp.setState({ session: { token: session.token, userId: session.user.id, phone: session.user.phone } });
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
    busy: false,
    error: undefined,
    devCode: undefined,
    setRegion: (region) => set({ region, error: undefined }),
    setNumber: (number) => set({ number, error: undefined }),
    setUsePassword: (usePassword) => set({ usePassword, error: undefined }),

    async sendCode() {
      const parsed = parsePhone(get().number, get().region);
      if (!parsed.ok) return set({ error: localFailure('invalid_phone', parsed.reason) });
      set({ busy: true, error: undefined, e164: parsed.e164 });
      const previousCode = get().devCode;
      try {
        const started = await api().startVerification(parsed.e164);
        set({ step: 'code', verificationId: started.verificationId, resendAt: Date.now() + started.resendIn * 1000, busy: false, devCode: '' });
        pollDevOutbox(parsed.e164, previousCode);
      } catch (error) {
        set({ busy: false, error });
      }
    },

    async verify(code) {
      const verificationId = get().verificationId;
      if (verificationId === undefined) return;
      if (!/^\d{6}$/.test(code)) return set({ error: localFailure('invalid_code', 'six digits') });
      set({ busy: true, error: undefined });
      try {
        const { ticket } = await api().checkCode(verificationId, code);
        await signedIn(await api().createSession(ticket, thisDevice()));
      } catch (error) {
        set({ busy: false, error });
      }
    },

    async signInWithPassword(password) {
      const parsed = parsePhone(get().number, get().region);
      if (!parsed.ok) return set({ error: localFailure('invalid_phone', parsed.reason) });
      set({ busy: true, error: undefined });
      try {
        await signedIn(await api().passwordSession(parsed.e164, password, thisDevice()));
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
      if (session !== undefined) await enterSignedIn({ token: session.token, userId: session.user.id, phone: session.user.phone });
      clearTimeout(pollTimer);
      set({ step: 'phone', busy: false, error: undefined, verificationId: undefined, devCode: undefined, number: '' });
    },

    backToPhone() {
      clearTimeout(pollTimer);
      set({ step: 'phone', error: undefined, verificationId: undefined, devCode: undefined });
    },
  };
});
