import { useEffect, useState } from 'react';
import { useT } from '../../i18n/i18n.js';
import { StatusNotice } from '../../ui/ErrorNotice.js';
import { useContacts } from '../contacts/contacts-store.js';
import { createVault, hasVault, unlockVault } from './private-vault.js';

const minimumLength = 4;

export function PrivateContactsPanel() {
  const t = useT();
  const privateCount = useContacts((state) => state.people.filter((person) => person.isPrivate).length);
  const unlocked = useContacts((state) => state.privateUnlocked);
  const setUnlocked = useContacts((state) => state.setPrivateUnlocked);
  const [vaultExists, setVaultExists] = useState<boolean | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void hasVault().then(setVaultExists);
  }, []);

  async function submit(): Promise<void> {
    if (password.length < minimumLength) return setMessage(t('privacy.vaultTooShort'));
    setBusy(true);
    try {
      if (vaultExists === false) {
        await createVault(password);
        setVaultExists(true);
        setUnlocked(true);
        setMessage(t('privacy.unlocked'));
      } else if (await unlockVault(password)) {
        setUnlocked(true);
        setMessage(t('privacy.unlocked'));
      } else {
        setMessage(t('privacy.wrongPassword'));
      }
    } finally {
      setBusy(false);
      setPassword('');
    }
  }

  return (
    <section aria-labelledby="private-heading">
      <h2 id="private-heading">{t('privacy.privateContacts')}</h2>
      <p className="muted">{t('privacy.privateIntro')}</p>
      <p>{t('privacy.privateCount', { count: privateCount })}</p>
      {unlocked ? (
        <button type="button" onClick={() => setUnlocked(false)}>
          {t('privacy.lock')}
        </button>
      ) : (
        vaultExists !== undefined && (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              void submit();
            }}
          >
            <label className="field">
              <span>{t('privacy.vaultPassword')}</span>
              <input type="password" autoComplete={vaultExists ? 'current-password' : 'new-password'} value={password} onChange={(event) => setPassword(event.target.value)} />
            </label>
            <button type="submit" disabled={busy}>
              {vaultExists ? t('privacy.unlock') : t('privacy.setVaultPassword')}
            </button>
          </form>
        )
      )}
      <StatusNotice text={message} />
    </section>
  );
}
