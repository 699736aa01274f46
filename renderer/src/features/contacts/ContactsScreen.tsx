import { usePlugins } from '../../app/plugins.js';
import { useMemo, useState } from 'react';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { ContactDetailDialog } from '../contact-detail/ContactDetailDialog.js';
import { ContactsToolbar } from './manual/ContactActions.js';
import { ContactGrid } from './ContactGrid.js';
import { useContacts, visiblePeople } from './contacts-store.js';
import { GroupsPanel } from './GroupsPanel.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';

export function ContactsScreen() {
  const t = useT();
  const plugins = usePlugins();
  const setScreen = useApp((state) => state.setScreen);
  const canSyncAccounts = useApp((state) => state.info?.capabilities.accountBinding === true);
  const { merged: people, query, filter, privateUnlocked, openRef, loaded, pinyinReady, setQuery, openPerson, setPrivateUnlocked, syncAccounts } = useContacts();
  const [groupsOpen, setGroupsOpen] = useState(false);
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
      const lines = [t('contacts.synced', { count }), ...failed.map((network) => t('contacts.syncFailed', { network }))];
      setSyncNotice(lines.join(' '));
    } catch (error) {
      setSyncError(error);
    } finally {
      setSyncing(false);
    }
  }
  // pinyinReady is a dependency on purpose: once the dictionary is in, "li" finds 李娜.
  const shown = useMemo(() => visiblePeople({ people, query, filter, privateUnlocked }), [people, query, filter, privateUnlocked, pinyinReady]);
  const hiddenPrivate = useMemo(() => (privateUnlocked ? 0 : people.filter((person) => person.isPrivate).length), [people, privateUnlocked]);

  function emptyState() {
    if (loaded && people.length === 0) {
      return (
        <div className="empty-state">
          <h2>{t('contacts.empty')}</h2>
          <p>{t('contacts.emptyHint')}</p>
          <button type="button" className="primary" onClick={() => setScreen('import')}>
            {t('contacts.importCta')}
          </button>
        </div>
      );
    }
    if (shown.length > 0 || !loaded) return undefined;
    if (query.trim() !== '') {
      return (
        <div className="empty-state">
          <h2>{t('contacts.noMatch', { query: query.trim() })}</h2>
          <p>{t('contacts.noMatchHint')}</p>
        </div>
      );
    }
    return (
      <div className="empty-state">
        <p>{filter === 'users' ? t('contacts.usersEmpty') : t('contacts.groupEmpty')}</p>
      </div>
    );
  }
  const empty = emptyState();

  return (
    <div className="contacts-screen">
      <div className={groupsOpen ? 'drawer-backdrop open' : 'drawer-backdrop'} onClick={() => setGroupsOpen(false)} aria-hidden="true" />
      <GroupsPanel open={groupsOpen} onClose={() => setGroupsOpen(false)} />
      <section className="contacts-main" aria-labelledby="contacts-heading">
        <header className="contacts-header">
          <h1 id="contacts-heading">{t('contacts.heading')}</h1>
          <button type="button" className="groups-toggle" aria-expanded={groupsOpen} onClick={() => setGroupsOpen(true)}>
            {t('contacts.showGroups')}
          </button>
          {/* Before the search box: Tab from the search goes straight into the list. */}
          <ContactsToolbar />
          <input type="search" className="search" aria-label={t('contacts.search')} placeholder={t('contacts.search')} value={query} onChange={(event) => setQuery(event.target.value)} />
          {canSyncAccounts && (
            <button type="button" onClick={() => void importFromAccounts()} disabled={syncing}>
              {syncing ? t('contacts.syncing') : t('contacts.syncAccounts')}
            </button>
          )}
          <span className="muted count" aria-live="polite" data-testid="contact-count">
            {t('contacts.count', { count: shown.length })}
          </span>
        </header>
        <StatusNotice text={syncNotice} />
        <ErrorNotice error={syncError} />
        {hiddenPrivate > 0 && (
          <p className="muted contacts-note">
            {t('contacts.privateHidden', { count: hiddenPrivate })}{' '}
            <button type="button" className="link" onClick={() => setScreen('privacy')}>
              {t('contacts.unlockPrivate')}
            </button>
          </p>
        )}
        {privateUnlocked && (
          <p className="muted contacts-note">
            <button type="button" className="link" onClick={() => setPrivateUnlocked(false)}>
              {t('contacts.lockPrivate')}
            </button>
          </p>
        )}
        {empty ?? (
          <>
            <p className="muted small keyboard-hint contacts-note" id="grid-hint">
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
