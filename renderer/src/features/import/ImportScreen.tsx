import { useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { useT, type Translate } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import type { ImportSummary } from './import-store.js';
import { useImport } from './import-store.js';

const extensions = ['vcf', 'vcard', 'csv', 'txt', 'xlsx'];

export function ImportScreen() {
  const t = useT();
  const nativePicker = useApp((state) => state.info?.capabilities.nativeFilePicker === true);
  const { phase, fileName, progress, uploadCount, summary, error, run, cancel } = useImport();
  const busy = phase === 'parsing' || phase === 'uploading';

  async function pickNative(): Promise<void> {
    const file = await bridge().import.pickFile({ extensions });
    if (file !== null) await run(file);
  }

  async function onFileInput(files: FileList | null): Promise<void> {
    const file = files?.[0];
    if (file === undefined) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    await run({ name: file.name, mimeType: file.type, bytes });
  }

  return (
    <section className="screen" aria-labelledby="import-heading">
      <h1 id="import-heading">{t('import.heading')}</h1>
      <p className="muted">{t('import.intro')}</p>
      {nativePicker ? (
        <button type="button" className="primary" disabled={busy} onClick={() => void pickNative()}>
          {t('import.pick')}
        </button>
      ) : (
        <label className="field file-field">
          <span>{t('import.choose')}</span>
          <input
            type="file"
            accept={extensions.map((extension) => `.${extension}`).join(',')}
            disabled={busy}
            onChange={(event) => {
              void onFileInput(event.target.files);
              event.target.value = '';
            }}
          />
        </label>
      )}
      <div aria-live="polite" className="import-progress">
        {phase === 'parsing' && (
          <>
            <p>{progress.total === 0 ? t('import.reading', { name: fileName }) : t('import.parsing', { done: progress.done, total: progress.total })}</p>
            <progress max={Math.max(1, progress.total)} value={progress.done} />
            <button type="button" onClick={cancel}>
              {t('import.cancel')}
            </button>
          </>
        )}
        {phase === 'uploading' && <p>{t('import.uploading', { count: uploadCount })}</p>}
        {phase === 'done' && summary !== undefined && <ImportResult summary={summary} t={t} />}
      </div>
      {phase === 'failed' && <ErrorNotice error={error} />}
    </section>
  );
}

function ImportResult({ summary, t }: { summary: ImportSummary; t: Translate }) {
  return (
    <div className="import-result">
      <p role="status" data-testid="import-done">
        {t('import.done', {
          entries: summary.entries,
          name: summary.fileName,
          format: summary.format,
          encoding: summary.encoding,
          matches: summary.matches ?? 0,
        })}
      </p>
      {summary.savedOffline && <p className="notice">{t('import.savedOffline')}</p>}
      <details open={summary.rejected.length > 0 && summary.rejected.length <= 50}>
        <summary>{t('import.skipped', { count: summary.rejected.length })}</summary>
        {summary.rejected.length === 0 ? (
          <p className="muted">{t('import.noneSkipped')}</p>
        ) : (
          <ul className="rejected" data-testid="rejected-list">
            {summary.rejected.slice(0, 500).map((record) => (
              <li key={`${record.record}:${record.raw}`} data-reason={record.reason}>
                <strong>{t('import.record', { record: record.record })}</strong>
                {record.line !== undefined && <span className="muted"> ({t('import.line', { line: record.line })})</span>}
                {record.name !== undefined && record.name !== '' && <span> {record.name}</span>}
                {t('import.rejectedValue', { raw: record.raw, reason: t(`import.reason.${record.reason}`) })}
              </li>
            ))}
          </ul>
        )}
      </details>
      {summary.warnings.length > 0 && (
        <details>
          <summary>{t('import.warnings', { count: summary.warnings.length })}</summary>
          <ul>
            {summary.warnings.map((warning, index) => (
              <li key={index} data-warning={warning.code}>
                {warning.line === undefined ? t(`import.warning.${warning.code}`) : t('import.warningAt', { line: warning.line, warning: t(`import.warning.${warning.code}`) })}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
