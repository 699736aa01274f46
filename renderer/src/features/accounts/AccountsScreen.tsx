import { useCallback, useEffect, useState } from 'react';
import { ApiFailure } from '../../api/api-client.js';
import { api, useApp } from '../../app/app-store.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { formatSince } from '../../ui/format.js';

type AccountsView = { state: 'loading' } | { state: 'unavailable' } | { state: 'ready'; bound: Map<string, string> } | { state: 'failed'; error: unknown };

/** M19: bound networks. The server side may not exist yet on older servers: a 404 hides the feature. */
export function AccountsScreen() {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const plugins = useApp((state) => state.plugins);
  const isDesktop = useApp((state) => state.info?.kind === 'desktop');
  const [view, setView] = useState<AccountsView>({ state: 'loading' });
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const reload = useCallback(async () => {
    try {
      const answer = await api().accounts();
      setView({ state: 'ready', bound: new Map(answer.accounts.map((account) => [account.plugin, account.boundAt])) });
    } catch (error) {
      if (error instanceof ApiFailure && (error.status === 404 || error.status === 501)) setView({ state: 'unavailable' });
      else setView({ state: 'failed', error });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function bind(pluginId: string, name: string): Promise<void> {
    setActionError(undefined);
    try {
      const { authorizeUrl } = await api().startOAuth(pluginId);
      const target = new URL(authorizeUrl, useApp.getState().info?.serverUrl ?? window.location.origin);
      window.open(target.toString(), '_blank', 'noopener,noreferrer');
      setNotice(t('accounts.redirecting', { network: name }));
    } catch (error) {
      setActionError(error);
    }
  }

  async function unbind(pluginId: string): Promise<void> {
    setActionError(undefined);
    try {
      await api().unbindAccount(pluginId);
      await reload();
    } catch (error) {
      setActionError(error);
    }
  }

  return (
    <section className="screen" aria-labelledby="accounts-heading">
      <h1 id="accounts-heading">{t('accounts.heading')}</h1>
      <p className="muted">{t('accounts.intro')}</p>
      {view.state === 'loading' && <p>{t('common.loading')}</p>}
      {view.state === 'unavailable' && <p className="notice">{t('accounts.unavailable')}</p>}
      {view.state === 'failed' && <ErrorNotice error={view.error} />}
      {view.state === 'ready' && (
        <ul className="account-list">
          {plugins
            .filter((plugin) => plugin.auth !== 'none')
            .map((plugin) => {
              const boundAt = view.bound.get(plugin.id);
              const needsDesktop = plugin.auth === 'password' && !isDesktop;
              return (
                <li key={plugin.id}>
                  <img src={plugin.iconUrl} alt="" width={24} height={24} />
                  <span className="network-name">{plugin.name}</span>
                  <span className="muted">{boundAt === undefined ? t('accounts.notBound') : t('accounts.bound', { since: formatSince(boundAt, language) })}</span>
                  {boundAt !== undefined ? (
                    <button type="button" onClick={() => void unbind(plugin.id)}>
                      {t('accounts.unbind', { network: plugin.name })}
                    </button>
                  ) : needsDesktop ? (
                    <span className="muted">{t('accounts.desktopOnly')}</span>
                  ) : (
                    <button type="button" onClick={() => void bind(plugin.id, plugin.name)}>
                      {t('accounts.bind', { network: plugin.name })}
                    </button>
                  )}
                </li>
              );
            })}
        </ul>
      )}
      <StatusNotice text={notice} />
      <ErrorNotice error={actionError} />
    </section>
  );
}
