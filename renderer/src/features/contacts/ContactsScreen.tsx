import { useMemo, useState } from 'react';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { ContactDetailDialog } from '../contact-detail/ContactDetailDialog.js';
import { ContactGrid } from './ContactGrid.js';
import { useContacts, visiblePeople } from './contacts-store.js';
import { GroupsPanel } from './GroupsPanel.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';

export function ContactsScreen() {
  const t = useT();
  const plugins = useApp((state) => state.plugins);
  const setScreen = useApp((state) => state.setScreen);
  const canSyncAccounts = useApp((state) => state.info?.capabilities.accountBinding === true);
  const { merged: people, query, filter, privateUnlocked, openRef, loaded, setQuery, openPerson, setPrivateUnlocked, syncAccounts } = useContacts();
  const [syncing, setSyncing] = useState(false);
  const [syncNotice, setSyncNotice] = useState<string | undefined>(undefined);
  const [syncError, setSyncError] = useState<unknown>(undefined);

  async function importFromAccounts(): Promise<void> {
    setSyncing(true);
    setSyncNotice(undefined);
    setSyncError(undefined);
    try {
      const result = await syncAccounts();
      const count = result.imported.reduce((sum, account) => sum + account.contacts, 0);
      const failed = [...new Set(result.failures.map((failure) => plugins.find((plugin) => plugin.id === failure.pluginId)?.name ?? failure.pluginId))];
      const lines = [count === 1 ? t('contacts.syncedOne') : t('contacts.synced', { count }), ...failed.map((network) => t('contacts.syncFailed', { network }))];
      setSyncNotice(lines.join(' '));
    } catch (error) {
      setSyncError(error);
    } finally {
      setSyncing(false);
    }
  }
  const shown = useMemo(() => visiblePeople({ people, query, filter, privateUnlocked }), [people, query, filter, privateUnlocked]);
  const hiddenPrivate = useMemo(() => (privateUnlocked ? 0 : people.filter((person) => person.isPrivate).length), [people, privateUnlocked]);

  return (
    <div className="contacts-screen">
      <GroupsPanel />
      <section className="contacts-main" aria-labelledby="contacts-heading">
        <header className="contacts-header">
          <h1 id="contacts-heading">{t('contacts.heading')}</h1>
          <input type="search" className="search" aria-label={t('contacts.search')} placeholder={t('contacts.search')} value={query} onChange={(event) => setQuery(event.target.value)} />
          {canSyncAccounts && (
            <button type="button" onClick={() => void importFromAccounts()} disabled={syncing}>
              {syncing ? t('contacts.syncing') : t('contacts.syncAccounts')}
            </button>
          )}
          <span className="muted" aria-live="polite" data-testid="contact-count">
            {shown.length === 1 ? t('contacts.countOne') : t('contacts.count', { count: shown.length })}
          </span>
        </header>
        <StatusNotice text={syncNotice} />
        <ErrorNotice error={syncError} />
        {hiddenPrivate > 0 && (
          <p className="muted">
            {t('contacts.privateHidden', { count: hiddenPrivate })}{' '}
            <button type="button" className="link" onClick={() => setScreen('privacy')}>
              {t('contacts.unlockPrivate')}
            </button>
          </p>
        )}
        {privateUnlocked && (
          <p className="muted">
            <button type="button" className="link" onClick={() => setPrivateUnlocked(false)}>
              {t('contacts.lockPrivate')}
            </button>
          </p>
        )}
        {loaded && people.length === 0 ? (
          <div className="empty">
            <p>{t('contacts.empty')}</p>
            <button type="button" className="primary" onClick={() => setScreen('import')}>
              {t('contacts.importCta')}
            </button>
          </div>
        ) : shown.length === 0 && query !== '' ? (
          <p className="empty">{t('contacts.noMatch', { query })}</p>
        ) : (
          <>
            <p className="muted small" id="grid-hint">
              {t('contacts.keyboardHint')}
            </p>
            <ContactGrid people={shown} plugins={plugins} onOpen={openPerson} />
          </>
        )}
      </section>
      {openRef !== undefined && <ContactDetailDialog personRef={openRef} onClose={() => openPerson(undefined)} />}
    </div>
  );
}
