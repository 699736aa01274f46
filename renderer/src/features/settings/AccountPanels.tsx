import { useEffect, useState, type FormEvent } from 'react';
import type { WatcherStatus } from '#common/bridge/index.js';
import { passwordPolicy, type MeResponse } from '#common/contract/identity.js';
import type { PrivacySettings } from '#common/contract/privacy.js';
import { parsePhone, regionOfE164 } from '#common/phone/phone.js';
import { normaliseCodeInput, normalisePhoneInput } from '#common/text/typed-digits.js';
import { api, useApp } from '../../app/app-store.js';
import { usePlugins } from '../../app/plugins.js';
import { signOut } from '../../app/session.js';
import { bridge } from '../../bridge/bridge.js';
import { localDb } from '../../db/local-db.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { formatPhone } from '../../ui/format.js';
import { displayName } from '../contacts/contacts-store.js';
import { download, serverDataOf, vcardOf } from './export-data.js';

/** Sets or changes the password (M3); other devices are signed out unless the person unticks it. */
export function PasswordPanel({ me, onChanged }: { me: MeResponse; onChanged: () => void }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [state, setState] = useState<{ error?: unknown; saved?: boolean; busy?: boolean }>({});

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setState({ busy: true });
    try {
      await api().setPassword(password, signOutOthers);
      setPassword('');
      setState({ saved: true });
      onChanged();
    } catch (error) {
      setState({ error });
    }
  }

  return (
    <section aria-labelledby="password-heading" className="settings-section">
      <h2 id="password-heading">{me.hasPassword ? t('settings.password.change') : t('settings.password.set')}</h2>
      <form onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>{t('settings.password.new')}</span>
          <input type="password" autoComplete="new-password" minLength={passwordPolicy.minLength} maxLength={passwordPolicy.maxLength} required value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={signOutOthers} onChange={(event) => setSignOutOthers(event.target.checked)} />
          <span>{t('settings.password.signOutOthers')}</span>
        </label>
        {state.error !== undefined && <ErrorNotice error={state.error} />}
        {state.saved === true && <StatusNotice text={t('common.saved')} />}
        <button type="submit" className="primary" disabled={state.busy === true}>
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}

/** Proves a number with an SMS code and answers the one-time ticket. */
function useCodeProof() {
  const [verificationId, setVerificationId] = useState<string | undefined>(undefined);
  return {
    sent: verificationId !== undefined,
    async send(phone: string) {
      setVerificationId((await api().startVerification(phone)).verificationId);
    },
    async ticket(code: string): Promise<string> {
      if (verificationId === undefined) throw new Error('no code was sent');
      return (await api().checkCode(verificationId, normaliseCodeInput(code))).ticket;
    },
    reset: () => setVerificationId(undefined),
  };
}

/** Moves the account to a new number (M4): the new number is proven by an SMS code first. */
export function ChangeNumberPanel({ me, onChanged }: { me: MeResponse; onChanged: (me: MeResponse) => void }) {
  const t = useT();
  const proof = useCodeProof();
  const [number, setNumber] = useState('');
  const [code, setCode] = useState('');
  const [state, setState] = useState<{ error?: unknown; saved?: boolean }>({});

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setState({});
    try {
      if (!proof.sent) {
        // A national number is read in the region of the current one (people usually move within a country).
        const parsed = parsePhone(normalisePhoneInput(number), regionOfE164(me.phone));
        await proof.send(parsed.ok ? parsed.e164 : number);
        return;
      }
      const changed = await api().changePhone(await proof.ticket(code));
      useApp.setState((app) => ({ session: app.session === undefined ? undefined : { ...app.session, phone: changed.phone } }));
      await bridge().session.get();
      proof.reset();
      setNumber('');
      setCode('');
      setState({ saved: true });
      onChanged(changed);
    } catch (error) {
      setState({ error });
    }
  }

  return (
    <section aria-labelledby="number-heading" className="settings-section">
      <h2 id="number-heading">{t('settings.number.heading')}</h2>
      <p className="muted">{t('settings.number.current', { phone: formatPhone(me.phone) })}</p>
      <form onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>{t('settings.number.new')}</span>
          <input type="tel" autoComplete="tel" inputMode="tel" required value={number} disabled={proof.sent} onChange={(event) => setNumber(event.target.value)} />
        </label>
        {proof.sent && (
          <label className="field">
            <span>{t('settings.number.code')}</span>
            <input inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(event) => setCode(event.target.value)} />
          </label>
        )}
        {state.error !== undefined && <ErrorNotice error={state.error} />}
        {state.saved === true && <StatusNotice text={t('common.saved')} />}
        <button type="submit" className="primary">
          {proof.sent ? t('settings.number.confirm') : t('onboarding.sendCode')}
        </button>
      </form>
    </section>
  );
}

/** The apps my contacts see me on right now: what runs here (the watcher), narrowed by what I share. */
export function SharedNowPanel() {
  const t = useT();
  const plugins = usePlugins();
  const [watcher, setWatcher] = useState<WatcherStatus | undefined>(undefined);
  const [privacy, setPrivacy] = useState<PrivacySettings | undefined>(undefined);
  useEffect(() => {
    void bridge().watcher.status().then(setWatcher);
    void api().privacy().then(setPrivacy, () => undefined);
    return bridge().watcher.onChanged(setWatcher);
  }, []);
  const running = watcher?.apps.map((app) => app.plugin) ?? [];
  const shared = running.filter((plugin) => privacy !== undefined && (privacy.sharedApps === 'all' || privacy.sharedApps.includes(plugin)));
  const names = shared.map((id) => plugins.find((plugin) => plugin.id === id)?.name ?? id);
  return (
    <section aria-labelledby="shared-heading" className="settings-section">
      <h2 id="shared-heading">{t('settings.shared.heading')}</h2>
      <p data-testid="shared-now">{names.length > 0 ? names.join(t('settings.shared.separator')) : watcher?.running === true ? t('settings.shared.none') : t('settings.shared.noWatcher')}</p>
    </section>
  );
}

/** What the server keeps about me (JSON) and my contacts as typed on this device (vCard), made in the browser. */
export function ExportPanel() {
  const t = useT();
  const [error, setError] = useState<unknown>(undefined);
  async function exportServer(): Promise<void> {
    setError(undefined);
    try {
      download('switchboard-data.json', 'application/json', await serverDataOf(api()));
    } catch (failure) {
      setError(failure);
    }
  }
  async function exportContacts(): Promise<void> {
    download('switchboard-contacts.vcf', 'text/vcard', vcardOf(await localDb.people.toArray(), displayName));
  }
  return (
    <section aria-labelledby="export-heading" className="settings-section">
      <h2 id="export-heading">{t('settings.export.heading')}</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      <div className="actions">
        <button type="button" onClick={() => void exportServer()}>
          {t('settings.export.server')}
        </button>
        <button type="button" onClick={() => void exportContacts()}>
          {t('settings.export.contacts')}
        </button>
      </div>
    </section>
  );
}

/** Deletes the account for good, confirmed by the password or a fresh code to my number. */
export function DeleteAccountPanel({ me }: { me: MeResponse }) {
  const t = useT();
  const proof = useCodeProof();
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(undefined);
    try {
      if (!me.hasPassword && !proof.sent) return await proof.send(me.phone);
      await api().deleteAccount(me.hasPassword ? { password: secret } : { ticket: await proof.ticket(secret) });
      await signOut();
    } catch (failure) {
      setError(failure);
    }
  }

  const asking = me.hasPassword || proof.sent;
  return (
    <section aria-labelledby="delete-heading" className="settings-section danger-zone">
      <h2 id="delete-heading">{t('settings.delete.heading')}</h2>
      <p className="muted">{t('settings.delete.explain')}</p>
      <form onSubmit={(event) => void submit(event)}>
        {asking && (
          <label className="field">
            <span>{me.hasPassword ? t('settings.delete.password') : t('settings.number.code')}</span>
            <input type={me.hasPassword ? 'password' : 'text'} inputMode={me.hasPassword ? undefined : 'numeric'} autoComplete={me.hasPassword ? 'current-password' : 'one-time-code'} required value={secret} onChange={(event) => setSecret(event.target.value)} />
          </label>
        )}
        {error !== undefined && <ErrorNotice error={error} />}
        <button type="submit" className="danger">
          {asking ? t('settings.delete.confirm') : t('settings.delete.sendCode')}
        </button>
      </form>
    </section>
  );
}
