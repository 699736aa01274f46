import { usePlugins } from '../../app/plugins.js';
import { useEffect, useState } from 'react';
import { activityVisibility, defaultPrivacySettings, groupAdders, type PrivacySettings } from '#common/contract/privacy.js';
import { ApiFailure } from '../../api/failure.js';
import { api, useApp } from '../../app/app-store.js';
import { localDb } from '../../db/local-db.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { displayName, useContacts } from '../contacts/contacts-store.js';
import { PrivateContactsPanel } from './PrivateContactsPanel.js';

export function PrivacyScreen() {
  const t = useT();
  const plugins = usePlugins();
  const people = useContacts((state) => state.people);
  const setBlocked = useContacts((state) => state.setBlocked);
  const [settings, setSettings] = useState<PrivacySettings | undefined>(undefined);
  const [blocked, setBlockedList] = useState<{ userId: string; since: string }[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  /** Showing the copy this device kept, because the server cannot be reached: read-only until it can. */
  const [offlineCopy, setOfflineCopy] = useState(false);
  const online = useApp((state) => state.connection === 'online');

  // Loaded again whenever the connection comes back, so an offline copy never outlives the outage.
  useEffect(() => {
    let current = true;
    Promise.all([api().privacy(), api().list('blocklist')]).then(
      ([loaded, list]) => {
        if (!current) return;
        setSettings(loaded);
        setBlockedList(list);
        setOfflineCopy(false);
        setError(undefined);
        void localDb.setMeta('privacyCache', { settings: loaded, blocklist: list }).catch(() => undefined);
      },
      async (failure: unknown) => {
        const cached = failure instanceof ApiFailure && failure.offline ? await localDb.getMeta('privacyCache') : undefined;
        if (!current) return;
        if (cached === undefined) return setError(failure);
        setSettings(cached.settings);
        setBlockedList(cached.blocklist);
        setOfflineCopy(true);
      },
    );
    return () => {
      current = false;
    };
  }, [online]);

  async function save(next: PrivacySettings): Promise<void> {
    setSettings(next);
    setError(undefined);
    setSaved(undefined);
    try {
      const stored = await api().updatePrivacy(next);
      setSettings(stored);
      void localDb.setMeta('privacyCache', { settings: stored, blocklist: blocked }).catch(() => undefined);
      setSaved(t('common.saved'));
    } catch (failure) {
      setError(failure);
    }
  }

  async function unblock(userId: string): Promise<void> {
    try {
      await api().removeFromList('blocklist', userId);
      await setBlocked(userId, false);
      setBlockedList((list) => list.filter((entry) => entry.userId !== userId));
    } catch (failure) {
      setError(failure);
    }
  }

  const nameOf = (userId: string) => {
    const person = people.find((candidate) => candidate.userId === userId);
    return person === undefined ? userId : displayName(person);
  };
  const sharedSet = new Set(settings?.sharedApps === 'all' || settings === undefined ? plugins.map((plugin) => plugin.id) : settings.sharedApps);

  return (
    <section className="screen" aria-labelledby="privacy-heading">
      <h1 id="privacy-heading">{t('privacy.heading')}</h1>
      {settings === undefined && error === undefined && <p>{t('common.loading')}</p>}
      {offlineCopy && <p className="notice notice-warning">{t('connection.offlineCached')}</p>}
      {settings !== undefined && (
        <fieldset className="plain-fieldset" disabled={offlineCopy}>
          <fieldset>
            <legend>{t('privacy.visibility')}</legend>
            {activityVisibility.map((mode) => (
              <label key={mode} className="check">
                <input type="radio" name="visibility" value={mode} checked={settings.activityVisibleTo === mode} onChange={() => void save({ ...settings, activityVisibleTo: mode })} />{' '}
                {t(`privacy.visibility.${mode}`)}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('privacy.sharedApps')}</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={settings.sharedApps === 'all'}
                onChange={(event) => void save({ ...settings, sharedApps: event.target.checked ? 'all' : plugins.map((plugin) => plugin.id) })}
              />{' '}
              {t('privacy.shareAll')}
            </label>
            <div className="app-checks">
              {plugins.map((plugin) => (
                <label key={plugin.id} className="check">
                  <input
                    type="checkbox"
                    disabled={settings.sharedApps === 'all'}
                    checked={sharedSet.has(plugin.id)}
                    onChange={(event) => {
                      const next = new Set(sharedSet);
                      if (event.target.checked) next.add(plugin.id);
                      else next.delete(plugin.id);
                      void save({ ...settings, sharedApps: [...next] });
                    }}
                  />{' '}
                  {plugin.name}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={settings.discoverable} onChange={(event) => void save({ ...settings, discoverable: event.target.checked })} /> {t('privacy.discoverable')}
          </label>
          <p className="muted">{t('privacy.discoverableOff')}</p>
          <fieldset>
            <legend>{t('privacy.groupAdds')}</legend>
            {groupAdders.map((who) => (
              <label key={who} className="check">
                <input
                  type="radio"
                  name="group-adds"
                  value={who}
                  // A copy kept before this setting existed has none: it shows the server's default.
                  checked={(settings.groupAddsBy ?? defaultPrivacySettings.groupAddsBy) === who}
                  onChange={() => void save({ ...settings, groupAddsBy: who })}
                />{' '}
                {t(`privacy.groupAdds.${who}`)}
              </label>
            ))}
            <p className="muted">{t('privacy.groupAddsHint')}</p>
          </fieldset>
        </fieldset>
      )}
      <StatusNotice text={saved} />
      <ErrorNotice error={error} />

      <h2>{t('privacy.blocklist')}</h2>
      {blocked.length === 0 ? (
        <p className="muted">{t('privacy.blocklistEmpty')}</p>
      ) : (
        <ul className="blocklist">
          {blocked.map((entry) => (
            <li key={entry.userId}>
              {nameOf(entry.userId)}{' '}
              <button type="button" onClick={() => void unblock(entry.userId)}>
                {t('privacy.unblock', { name: nameOf(entry.userId) })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <PrivateContactsPanel />
    </section>
  );
}
