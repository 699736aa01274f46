import { usePlugins } from '../../app/plugins.js';
import { useEffect, useState } from 'react';
import type { WatcherStatus } from '#common/bridge/index.js';
import { presenceSetPayload } from '#common/contract/socket-events.js';
import { useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { emitPresence } from '../../sync/sync-engine.js';
import { selectableStatuses, type ImStatus } from './status-types.js';

const maxTextLength = presenceSetPayload.shape.text.unwrap().maxLength ?? 280;

/**
 * M13/M14: my IM status and a free text or mood. The host holds the one value (on the desktop the core,
 * which the tray changes too, and whose realtime link reports it); this screen reads and writes it
 * through the bridge. In a browser the page's own socket reports it.
 */
export function StatusScreen() {
  const t = useT();
  const plugins = usePlugins();
  const hasWatcher = useApp((state) => state.info?.capabilities.watcher === true);
  const [status, setStatus] = useState<ImStatus>('online');
  const [text, setText] = useState('');
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [watcher, setWatcher] = useState<WatcherStatus | undefined>(undefined);

  useEffect(() => {
    const show = (saved: { status: ImStatus; text: string }) => {
      setStatus(saved.status);
      setText(saved.text);
    };
    void bridge().status.get().then(show);
    const stopStatus = bridge().status.onChanged(show);
    if (!hasWatcher) return stopStatus;
    void bridge().watcher.status().then(setWatcher);
    const stopWatcher = bridge().watcher.onChanged(setWatcher);
    return () => {
      stopStatus();
      stopWatcher();
    };
  }, [hasWatcher]);

  async function save(): Promise<void> {
    setNotice(undefined);
    setError(undefined);
    try {
      const stored = await bridge().status.set({ status, text });
      // The desktop host reports it on its own link; a browser sends it over the page's socket.
      const answer = hasWatcher ? stored.report : await emitPresence({ status, text });
      if (answer === 'offline') return setNotice(t('myStatus.saveOffline'));
      if (answer === 'refused' && stored.problem !== undefined) return setError(Object.assign(new Error(stored.problem.message), { code: stored.problem.code }));
      if (typeof answer === 'object' && 'error' in answer) return setError(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      setNotice(t('common.saved'));
    } catch (failure) {
      setError(failure);
    }
  }

  const runningApps = watcher?.apps.map((app) => plugins.find((plugin) => plugin.id === app.plugin)?.name ?? app.plugin) ?? [];

  return (
    <section className="screen" aria-labelledby="status-heading">
      <h1 id="status-heading">{t('myStatus.heading')}</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>{t('myStatus.status')}</legend>
          {selectableStatuses.map((option) => (
            <label key={option} className="check">
              <input type="radio" name="status" value={option} checked={status === option} onChange={() => setStatus(option)} />{' '}
              <span className={`status-dot status-${option}`} aria-hidden="true" /> {t(`status.${option}`)}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('myStatus.text')}</span>
          <input value={text} maxLength={maxTextLength} placeholder={t('myStatus.textPlaceholder')} onChange={(event) => setText(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
      </form>
      <StatusNotice text={notice} />
      <ErrorNotice error={error} />
      <p className="muted">
        {hasWatcher ? t('myStatus.watcherOn', { apps: runningApps.length === 0 ? t('myStatus.noApps') : runningApps.join(', ') }) : t('myStatus.watcherOff')}
      </p>
    </section>
  );
}
