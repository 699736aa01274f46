import { usePlugins } from '../../app/plugins.js';
import { useCallback, useEffect, useState } from 'react';
import type { PluginSummary } from '#common/bridge/index.js';
import type { BoundAccount } from '#common/contract/accounts.js';
import { ApiFailure, describeFailure } from '../../api/failure.js';
import { api, useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { localDb } from '../../db/local-db.js';
import { useLanguage, useT, type Language } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { formatSince } from '../../ui/format.js';
import { MyNetworksPanel } from './MyNetworksPanel.js';

type AccountsView =
  | { state: 'loading' }
  | { state: 'unavailable' }
  /** `bound`: the server's OAuth bindings; `local`: accounts in this desktop's keychain (empty on the web). */
  | { state: 'ready'; bound: Map<string, string>; local: BoundAccount[]; offlineCopy: boolean }
  | { state: 'failed'; error: unknown };

/** M19 and M20: bound networks. The server side may not exist yet on older servers: a 404 hides the feature. */
export function AccountsScreen() {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const plugins = usePlugins();
  // The desktop keeps credentials in its keychain and opens password networks in a window of its own.
  const bindsLocally = useApp((state) => state.info?.capabilities.accountBinding === true);
  const [view, setView] = useState<AccountsView>({ state: 'loading' });
  const [actionError, setActionError] = useState<{ failure: unknown; network: string } | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [passwordFormFor, setPasswordFormFor] = useState<string | undefined>(undefined);
  /** The federated network (Mastodon) whose server the user is asked to type, after instance_required. */
  const [instanceFormFor, setInstanceFormFor] = useState<string | undefined>(undefined);
  const online = useApp((state) => state.connection === 'online');

  const reload = useCallback(async () => {
    const local = bindsLocally ? bridge().accounts.list().catch(() => []) : Promise.resolve([]);
    try {
      const answer = await api().accounts();
      const bound = answer.accounts.flatMap((account) => (account.boundAt === undefined ? [] : [{ plugin: account.pluginId, boundAt: account.boundAt }]));
      void localDb.setMeta('accountsCache', bound).catch(() => undefined);
      setView({ state: 'ready', bound: new Map(bound.map((account) => [account.plugin, account.boundAt])), local: await local, offlineCopy: false });
    } catch (error) {
      if (error instanceof ApiFailure && (error.status === 404 || error.status === 501)) return setView({ state: 'unavailable' });
      // Offline: what this device last knew, until the connection is back (the effect below reloads then).
      const cached = error instanceof ApiFailure && error.offline ? await localDb.getMeta('accountsCache') : undefined;
      if (cached !== undefined) {
        setView({ state: 'ready', bound: new Map(cached.map((account) => [account.plugin, account.boundAt])), local: await local, offlineCopy: true });
      } else setView({ state: 'failed', error });
    }
  }, [bindsLocally]);

  useEffect(() => {
    void reload();
  }, [reload, online]);

  async function act(plugin: PluginSummary, action: () => Promise<void>): Promise<void> {
    setActionError(undefined);
    setNotice(undefined);
    try {
      await action();
    } catch (error) {
      const failure = error;
      const code = describeFailure(failure).code;
      // A federated network needs the user's server: ask for it in place rather than only saying so.
      if (code === 'instance_required') setInstanceFormFor(plugin.id);
      setActionError({ failure, network: plugin.name });
    }
  }

  const bindOAuth = (plugin: PluginSummary, instance?: string) =>
    act(plugin, async () => {
      if (bindsLocally) {
        // The desktop opens the system browser and waits for the tokens to reach its keychain.
        setNotice(t('accounts.continueInBrowser', { network: plugin.name }));
        await bridge().accounts.bindOAuth(instance === undefined ? { pluginId: plugin.id } : { pluginId: plugin.id, instance });
        setNotice(t('accounts.boundNow', { network: plugin.name }));
        setInstanceFormFor(undefined);
        await reload();
        return;
      }
      const { authorizeUrl } = await api().startOAuth(plugin.id, instance);
      setInstanceFormFor(undefined);
      const target = new URL(authorizeUrl, useApp.getState().info?.serverUrl ?? window.location.origin);
      window.open(target.toString(), '_blank', 'noopener,noreferrer');
      setNotice(t('accounts.redirecting', { network: plugin.name }));
    });

  const unbind = (plugin: PluginSummary) =>
    act(plugin, async () => {
      if (bindsLocally) await bridge().accounts.unbind({ pluginId: plugin.id });
      else await api().unbindAccount(plugin.id);
      await reload();
    });

  const openLoggedIn = (plugin: PluginSummary) =>
    act(plugin, async () => {
      const result = await bridge().accounts.openLoggedIn({ pluginId: plugin.id });
      if (!result.filled && result.code === 'field_missing') setNotice(t('accounts.openedNoForm', { network: plugin.name }));
      else if (!result.filled && result.code !== undefined && result.code !== 'already_open') {
        setActionError({ failure: Object.assign(new Error(result.message ?? ''), { code: result.code }), network: plugin.name });
      }
    });

  return (
    <section className="screen" aria-labelledby="accounts-heading">
      <h1 id="accounts-heading">{t('accounts.heading')}</h1>
      <p className="muted">{t('accounts.intro')}</p>
      {view.state === 'loading' && <p>{t('common.loading')}</p>}
      {view.state === 'unavailable' && <p className="notice">{t('accounts.unavailable')}</p>}
      {view.state === 'failed' && <ErrorNotice error={view.error} />}
      {view.state === 'ready' && view.offlineCopy && <p className="notice notice-warning">{t('connection.offlineCached')}</p>}
      {view.state === 'ready' && (
        <ul className="account-list">
          {plugins
            .filter((plugin) => plugin.auth !== 'none')
            .map((plugin) => (
              <li key={plugin.id}>
                <img src={plugin.iconUrl} alt="" width={24} height={24} />
                <span className="network-name">{plugin.name}</span>
                <span className="account-actions">
                {plugin.auth === 'password' ? (
                  <PasswordAccount
                    plugin={plugin}
                    bindsLocally={bindsLocally}
                    account={view.local.find((account) => account.pluginId === plugin.id && account.kind === 'password')}
                    formOpen={passwordFormFor === plugin.id}
                    onOpenForm={(open) => setPasswordFormFor(open ? plugin.id : undefined)}
                    onBound={async () => {
                      setPasswordFormFor(undefined);
                      setNotice(t('accounts.boundNow', { network: plugin.name }));
                      await reload();
                    }}
                    onError={(error) => setActionError({ failure: error, network: plugin.name })}
                    onOpenLoggedIn={() => void openLoggedIn(plugin)}
                    onUnbind={() => void unbind(plugin)}
                  />
                ) : (
                  <OAuthAccount
                    plugin={plugin}
                    boundAt={view.bound.get(plugin.id)}
                    language={language}
                    disabled={view.offlineCopy}
                    onBind={() => void bindOAuth(plugin)}
                    onUnbind={() => void unbind(plugin)}
                  />
                )}
                </span>
                {instanceFormFor === plugin.id && (
                  <InstanceForm network={plugin.name} onCancel={() => setInstanceFormFor(undefined)} onSubmit={(instance) => void bindOAuth(plugin, instance)} />
                )}
              </li>
            ))}
        </ul>
      )}
      <StatusNotice text={notice} />
      <ErrorNotice error={actionError?.failure} params={{ network: actionError?.network ?? '' }} />
      <MyNetworksPanel />
    </section>
  );
}

/** The server a federated account lives on (Mastodon): asked for when the network needs it. */
function InstanceForm({ network, onSubmit, onCancel }: { network: string; onSubmit(instance: string): void; onCancel(): void }) {
  const t = useT();
  const [instance, setInstance] = useState('');
  return (
    <form
      className="inline-form instance-form"
      onSubmit={(event) => {
        event.preventDefault();
        const trimmed = instance.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
        if (trimmed !== '') onSubmit(trimmed);
      }}
    >
      <label className="field">
        <span>{t('accounts.instance', { network })}</span>
        <input
          name="instance"
          inputMode="url"
          autoComplete="url"
          autoCapitalize="none"
          spellCheck={false}
          placeholder="mastodon.social"
          required
          maxLength={253}
          autoFocus
          aria-describedby="instance-hint"
          value={instance}
          onChange={(event) => setInstance(event.target.value)}
        />
        <span id="instance-hint" className="muted small">
          {t('accounts.instanceHint')}
        </span>
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          {t('accounts.continue')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function OAuthAccount(props: { plugin: PluginSummary; boundAt: string | undefined; language: Language; disabled: boolean; onBind(): void; onUnbind(): void }) {
  const t = useT();
  const { plugin, boundAt } = props;
  return (
    <>
      <span className="muted">{boundAt === undefined ? t('accounts.notBound') : t('accounts.bound', { since: formatSince(boundAt, props.language) })}</span>
      {boundAt !== undefined ? (
        <button type="button" disabled={props.disabled} onClick={props.onUnbind}>
          {t('accounts.unbind', { network: plugin.name })}
        </button>
      ) : (
        <button type="button" disabled={props.disabled} onClick={props.onBind}>
          {t('accounts.bind', { network: plugin.name })}
        </button>
      )}
    </>
  );
}

/**
 * A network used through its web site with a user name and password. The password goes from this form
 * to the desktop's keychain and is never read back: the form forgets it as soon as it was sent.
 */
function PasswordAccount(props: {
  plugin: PluginSummary;
  bindsLocally: boolean;
  account: BoundAccount | undefined;
  formOpen: boolean;
  onOpenForm(open: boolean): void;
  onBound(): Promise<void>;
  onError(error: unknown): void;
  onOpenLoggedIn(): void;
  onUnbind(): void;
}) {
  const t = useT();
  const { plugin, account } = props;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  if (!props.bindsLocally) return <span className="muted">{t('accounts.desktopOnly')}</span>;
  if (account !== undefined) {
    return (
      <>
        <span className="muted">{t('accounts.boundAs', { account: account.account ?? plugin.name })}</span>
        <button type="button" onClick={props.onOpenLoggedIn}>
          {t('accounts.openLoggedIn', { network: plugin.name })}
        </button>
        <button type="button" onClick={props.onUnbind}>
          {t('accounts.unbind', { network: plugin.name })}
        </button>
      </>
    );
  }
  if (!props.formOpen) {
    return (
      <>
        <span className="muted">{t('accounts.notBound')}</span>
        <button type="button" onClick={() => props.onOpenForm(true)}>
          {t('accounts.bindPassword', { network: plugin.name })}
        </button>
      </>
    );
  }

  async function submit(): Promise<void> {
    setBusy(true);
    try {
      await bridge().accounts.bindPassword({ pluginId: plugin.id, username, password });
      setPassword('');
      setUsername('');
      await props.onBound();
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="inline-form"
      aria-label={t('accounts.bindPassword', { network: plugin.name })}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label className="field">
        <span>{t('accounts.username')}</span>
        <input autoComplete="off" required maxLength={200} value={username} onChange={(event) => setUsername(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('accounts.password')}</span>
        <input type="password" autoComplete="off" required maxLength={1024} value={password} onChange={(event) => setPassword(event.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        {t('common.save')}
      </button>
      <button
        type="button"
        onClick={() => {
          setPassword('');
          props.onOpenForm(false);
        }}
      >
        {t('common.cancel')}
      </button>
      <span className="muted">{t('accounts.keychainOnly')}</span>
    </form>
  );
}
