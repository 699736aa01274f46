import { useCallback, useEffect, useState } from 'react';
import type { IdentityFieldSummary, LookupIdentityResult, PluginSummary } from '#common/bridge/index.js';
import { identityAudience, type IdentityAudience, type OwnIdentities } from '#common/contract/identities.js';
import { validateIdentity, type IdentityProblemCode } from '#common/plugin-manifest/identity-fields.js';
import { usePlugins } from '../../app/plugins.js';
import { api, useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { useLanguage, useT, type Language, type Translate } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { fieldsFromFound } from '../contacts/launch.js';

/** The audience choice: the activity setting's by default, or one of the three chosen for this network. */
type AudienceChoice = 'default' | IdentityAudience;

function fieldLabel(field: IdentityFieldSummary, language: Language): string {
  return field.label[language] ?? field.label.en ?? field.name;
}

/** The same check the server makes, before anything is sent: the manifest's fields and formats. */
function checkTyped(plugin: PluginSummary, values: Record<string, string>) {
  const declarations = plugin.identityFields.map((field) => ({
    name: field.name,
    label: { en: field.label.en ?? field.name, 'zh-CN': field.label['zh-CN'] ?? field.name },
    // Without a declared format here, any text passes and the server's check decides.
    pattern: field.pattern ?? '[\\s\\S]+',
    example: field.example,
    maxLength: field.maxLength ?? 320,
    sources: ['typed' as const],
  }));
  return validateIdentity(declarations, values);
}

function problemText(t: Translate, language: Language, plugin: PluginSummary, fieldName: string, code: IdentityProblemCode): string {
  const field = plugin.identityFields.find((candidate) => candidate.name === fieldName);
  const label = field === undefined ? fieldName : fieldLabel(field, language);
  if (code === 'required') return t('identities.required', { field: label });
  if (code === 'too_long') return t('identities.tooLong', { field: label });
  return t('identities.badFormat', { field: label, network: plugin.name, example: field?.example ?? '' });
}

/**
 * "My networks": my own handle on each network, typed (fields and labels from the plugin's manifest,
 * checked before sending) or taken from what a bound account found on the desktop, each with the
 * audience that may see it. Contacts' clicks reach me through what I publish here.
 */
export function MyNetworksPanel() {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const plugins = usePlugins();
  const phone = useApp((state) => state.session?.phone);
  const [mine, setMine] = useState<OwnIdentities | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [found, setFound] = useState<LookupIdentityResult | null>(null);

  const reload = useCallback(async () => {
    try {
      setMine(await api().myIdentities());
      setLoadError(undefined);
    } catch (error) {
      setLoadError(error);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    // The desktop asks its bound accounts' networks about my own number; a browser has none (null).
    if (phone === undefined) return;
    bridge()
      .contacts.lookupIdentity({ phone })
      .then(setFound, () => setFound(null));
  }, [phone]);

  return (
    <section className="my-networks" aria-labelledby="my-networks-heading">
      <h2 id="my-networks-heading">{t('identities.heading')}</h2>
      <p className="muted">{t('identities.intro')}</p>
      <ErrorNotice error={loadError} />
      {mine !== undefined && (
        <ul className="my-network-list">
          {plugins.map((plugin) => (
            <MyNetwork key={plugin.id} plugin={plugin} published={mine[plugin.id]} found={found?.pluginId === plugin.id ? found.identity : undefined} language={language} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MyNetwork(props: { plugin: PluginSummary; published: Record<string, string> | undefined; found: Readonly<Record<string, string | undefined>> | undefined; language: Language; onChanged(): Promise<void> }) {
  const t = useT();
  const { plugin, published, found, language } = props;
  const initialValues = () => Object.fromEntries(plugin.identityFields.map((field) => [field.name, published?.[field.name] ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initialValues);
  const [audience, setAudience] = useState<AudienceChoice>((published?.visibleTo as IdentityAudience | undefined) ?? 'default');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // Only the fields this network's manifest declares (a Mastodon lookup's handle and server make `account`).
  const foundFields = found === undefined ? undefined : fieldsFromFound(found);
  const foundValues = foundFields === undefined ? undefined : Object.fromEntries(plugin.identityFields.flatMap((field) => (foundFields[field.name] === undefined ? [] : [[field.name, foundFields[field.name] as string]])));
  const foundHandle = foundValues === undefined || Object.keys(foundValues).length === 0 ? undefined : Object.values(foundValues).join(' · ');

  async function save(next: Record<string, string>): Promise<void> {
    setProblem(undefined);
    setFailure(undefined);
    setNotice(undefined);
    const checked = checkTyped(plugin, next);
    if (!checked.ok) return setProblem(problemText(t, language, plugin, checked.field, checked.code));
    setBusy(true);
    try {
      await api().publishIdentity(plugin.id, audience === 'default' ? checked.value : { ...checked.value, visibleTo: audience });
      setNotice(t('identities.published', { network: plugin.name }));
      await props.onChanged();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  async function remove(): Promise<void> {
    setBusy(true);
    try {
      await api().removeIdentity(plugin.id);
      setValues(Object.fromEntries(plugin.identityFields.map((field) => [field.name, ''])));
      setNotice(t('identities.removed', { network: plugin.name }));
      await props.onChanged();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="my-network" data-plugin={plugin.id}>
      <form
        className="inline-form"
        aria-label={t('identities.formLabel', { network: plugin.name })}
        onSubmit={(event) => {
          event.preventDefault();
          void save(values);
        }}
      >
        <span className="my-network-name">
          <img src={plugin.iconUrl} alt="" width={24} height={24} />
          <strong>{plugin.name}</strong>
          {published !== undefined && <span className="muted"> · {t('identities.isPublished')}</span>}
        </span>
        {plugin.identityFields.length === 0 && <span className="muted">{t('identities.byPhone')}</span>}
        {plugin.identityFields.map((field) => (
          <label className="field" key={field.name}>
            <span>{fieldLabel(field, language)}</span>
            <input
              name={field.name}
              autoComplete="off"
              spellCheck={false}
              placeholder={field.example}
              maxLength={field.maxLength ?? 320}
              value={values[field.name] ?? ''}
              onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
            />
          </label>
        ))}
        <label className="field">
          <span>{t('identities.audience')}</span>
          <select name="visibleTo" value={audience} onChange={(event) => setAudience(event.target.value as AudienceChoice)}>
            <option value="default">{t('identities.audience.default')}</option>
            {identityAudience.map((choice) => (
              <option key={choice} value={choice}>
                {t(`identities.audience.${choice}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {published === undefined ? t('identities.publish') : t('common.save')}
        </button>
        {published !== undefined && (
          <button type="button" disabled={busy} onClick={() => void remove()}>
            {t('identities.remove')}
          </button>
        )}
        {foundValues !== undefined && foundHandle !== undefined && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              const next = { ...values, ...foundValues };
              setValues(next);
              void save(next);
            }}
          >
            {t('identities.useFound', { handle: foundHandle })}
          </button>
        )}
      </form>
      {problem !== undefined && (
        <p className="notice notice-warning" role="alert">
          {problem}
        </p>
      )}
      <StatusNotice text={notice} />
      <ErrorNotice error={failure} params={{ network: plugin.name }} />
    </li>
  );
}
