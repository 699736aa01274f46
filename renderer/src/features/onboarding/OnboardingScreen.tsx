import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { passwordPolicy } from '#common/contract/identity.js';
import { normaliseCodeInput } from '#common/text/typed-digits.js';
import { ApiFailure } from '../../api/failure.js';
import { useApp } from '../../app/app-store.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { formatPhone } from '../../ui/format.js';
import { formatWait } from '../../ui/human-error.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { DevSmsBanner } from './DevSmsBanner.js';
import { useOnboarding } from './onboarding-store.js';
import { regionOptions } from './regions.js';

export function OnboardingScreen({ languageSwitch }: { languageSwitch: ReactNode }) {
  const t = useT();
  const step = useOnboarding((state) => state.step);
  const error = useOnboarding((state) => state.error);
  return (
    <main id="main" className="onboarding" tabIndex={-1}>
      <div className="onboarding-top">{languageSwitch}</div>
      <div className="onboarding-card">
        <h1 className="brand">{t('app.title')}</h1>
        <DevSmsBanner />
        {step === 'phone' && <PhoneStep />}
        {step === 'code' && <CodeStep />}
        {step === 'password' && <PasswordStep />}
        <ErrorNotice error={error} />
      </div>
    </main>
  );
}

function PhoneStep() {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const { region, number, usePassword, busy, retryAt, setRegion, setNumber, setUsePassword, sendCode, signInWithPassword, keepSignedIn, setKeepSignedIn } = useOnboarding();
  // Only a browser decides how long its session lasts; the desktop keeps it in the keychain.
  const inBrowser = useApp((state) => state.info?.kind !== 'desktop');
  const retrySeconds = useSecondsUntil(retryAt);
  const regions = useMemo(() => regionOptions(language), [language]);
  const [password, setPassword] = useState('');

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (usePassword) void signInWithPassword(password);
    else void sendCode();
  }

  return (
    <form onSubmit={submit} aria-labelledby="onboarding-heading">
      <h2 id="onboarding-heading">{t('onboarding.heading')}</h2>
      <p className="muted">{usePassword ? t('onboarding.introPassword') : t('onboarding.intro')}</p>
      {/* Not a wrapping label: the accessible name would then include the selected country. */}
      <div className="field">
        <label htmlFor="onboarding-region">{t('onboarding.country')}</label>
        <select id="onboarding-region" value={region} onChange={(event) => setRegion(event.target.value)} autoComplete="country">
          {regions.map((option) => (
            <option key={option.region} value={option.region}>
              {option.name} (+{option.callingCode})
            </option>
          ))}
        </select>
      </div>
      <label className="field">
        <span>{t('onboarding.phone')}</span>
        <input type="tel" name="phone" autoComplete="tel" inputMode="tel" required value={number} onChange={(event) => setNumber(event.target.value)} />
      </label>
      {usePassword && (
        <label className="field">
          <span>{t('onboarding.password')}</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
      )}
      {inBrowser && (
        <label className="check">
          <input type="checkbox" name="keepSignedIn" checked={keepSignedIn} onChange={(event) => setKeepSignedIn(event.target.checked)} />
          <span>{t('onboarding.keepSignedIn')}</span>
        </label>
      )}
      {retrySeconds > 0 && <p className="muted small">{t('onboarding.waitFor', { time: formatWait(retrySeconds) })}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || retrySeconds > 0}>
          {usePassword ? t('onboarding.signIn') : t('onboarding.sendCode')}
        </button>
        <button type="button" className="link" onClick={() => setUsePassword(!usePassword)}>
          {usePassword ? t('onboarding.useCode') : t('onboarding.usePassword')}
        </button>
      </div>
    </form>
  );
}

function useSecondsUntil(deadline: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (deadline <= Date.now()) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= deadline) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [deadline]);
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

function CodeStep() {
  const t = useT();
  const { e164, busy, resendAt, retryAt, exhausted, error, verify, sendCode, backToPhone } = useOnboarding();
  const [code, setCode] = useState('');
  const resendSeconds = useSecondsUntil(resendAt);
  const retrySeconds = useSecondsUntil(retryAt);
  const attemptsLeft = error instanceof ApiFailure && error.code === 'invalid_code' ? error.details.attemptsLeft : undefined;

  // A new code (resend) starts with an empty field.
  const verificationId = useOnboarding((state) => state.verificationId);
  useEffect(() => setCode(''), [verificationId]);

  function onCodeChange(value: string): void {
    // Typed, pasted ("Your code is 123 456") or full-width from an input method: keep six digits.
    const digits = normaliseCodeInput(value).replace(/\D/g, '').slice(0, 6);
    setCode(digits);
    // The store checks each code once, so Enter after this auto-submit costs no second attempt.
    if (digits.length === 6) void verify(digits);
  }

  const canResend = resendSeconds === 0 && !busy;
  const resendButton = (
    <button type="button" className={exhausted ? 'primary' : undefined} disabled={!canResend} onClick={() => void sendCode()}>
      {resendSeconds > 0 ? t('onboarding.resendIn', { time: formatWait(resendSeconds) }) : t('onboarding.resend')}
    </button>
  );

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void verify(code);
      }}
      aria-labelledby="code-heading"
    >
      <h2 id="code-heading">{t('onboarding.codeHeading')}</h2>
      <p className="muted">{t('onboarding.codeSentTo', { phone: formatPhone(e164) })}</p>
      <label className="field">
        <span>{t('onboarding.code')}</span>
        <input
          className="code-input"
          name="code"
          autoComplete="one-time-code"
          inputMode="numeric"
          maxLength={32}
          required
          autoFocus
          disabled={exhausted}
          aria-describedby="code-hint"
          value={code}
          onChange={(event) => onCodeChange(event.target.value)}
        />
      </label>
      <p id="code-hint" className="muted small" aria-live="polite">
        {busy
          ? t('onboarding.checking')
          : exhausted
            ? t('onboarding.outOfAttempts')
            : typeof attemptsLeft === 'number'
              ? t('onboarding.attemptsLeft', { count: attemptsLeft })
              : t('onboarding.codeHint')}
      </p>
      {retrySeconds > 0 && <p className="muted small">{t('onboarding.waitFor', { time: formatWait(retrySeconds) })}</p>}
      <div className="actions">
        {exhausted ? (
          resendButton
        ) : (
          <>
            <button type="submit" className="primary" disabled={busy || code.length !== 6}>
              {t('onboarding.verify')}
            </button>
            {resendButton}
          </>
        )}
        <button type="button" className="link" onClick={backToPhone}>
          {t('onboarding.changeNumber')}
        </button>
      </div>
    </form>
  );
}

function PasswordStep() {
  const t = useT();
  const { busy, setPassword, finish } = useOnboarding();
  const [password, setValue] = useState('');
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void setPassword(password);
      }}
      aria-labelledby="password-heading"
    >
      <h2 id="password-heading">{t('onboarding.passwordHeading')}</h2>
      <p className="muted">{t('onboarding.passwordIntro')}</p>
      <label className="field">
        <span>{t('onboarding.newPassword')}</span>
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          minLength={passwordPolicy.minLength}
          maxLength={passwordPolicy.maxLength}
          required
          autoFocus
          value={password}
          onChange={(event) => setValue(event.target.value)}
        />
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('onboarding.setPassword')}
        </button>
        <button type="button" disabled={busy} onClick={() => void finish()}>
          {t('onboarding.skip')}
        </button>
      </div>
    </form>
  );
}
