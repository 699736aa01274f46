import { useEffect, useMemo, useState } from 'react';
import type { PickedFile } from '#common/bridge/index.js';
import { regionOfE164 } from '#common/phone/phone.js';
import { useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { useLanguage, useT, type Translate } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { regionOptions } from '../onboarding/regions.js';
import type { ImportMode, ImportSummary } from './import-store.js';
import { useImport } from './import-store.js';

const extensions = ['vcf', 'vcard', 'csv', 'txt', 'xlsx'];

export function ImportScreen() {
  const t = useT();
  const nativePicker = useApp((state) => state.info?.capabilities.nativeFilePicker === true);
  const language = useLanguage((state) => state.language);
  const ownPhone = useApp((state) => state.session?.phone);
  const { phase, fileName, progress, uploadCount, summary, lastFile, canUndo, error, run, undo, refreshUndo, cancel } = useImport();
  const busy = phase === 'parsing' || phase === 'uploading';
  const regions = useMemo(() => regionOptions(language), [language]);
  const [region, setRegion] = useState<string | undefined>(ownPhone === undefined ? undefined : regionOfE164(ownPhone));
  const [mode, setMode] = useState<ImportMode>('merge');

  useEffect(() => {
    void refreshUndo();
  }, [refreshUndo]);

  async function start(file: PickedFile, encoding?: string): Promise<void> {
    // A replace removes contacts: it is never the default and always confirmed.
    if (mode === 'replace' && !window.confirm(t('import.confirmReplace'))) return;
    await run(file, { mode, region, ...(encoding === undefined ? {} : { encoding }) });
  }

  async function reread(encoding: string): Promise<void> {
    if (lastFile === undefined) return;
    // The previous reading is undone first, so the book never holds both readings of the same file.
    await undo();
    await run(lastFile, { mode, region, encoding });
  }

  async function pickNative(): Promise<void> {
    const file = await bridge().import.pickFile({ extensions });
    if (file !== null) await start(file);
  }

  async function onFileInput(files: FileList | null): Promise<void> {
    const file = files?.[0];
    if (file === undefined) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    await start({ name: file.name, mimeType: file.type, bytes });
  }

  return (
    <section className="screen" aria-labelledby="import-heading">
      <h1 id="import-heading">{t('import.heading')}</h1>
      <p className="muted">{t('import.intro')}</p>
      <label className="field">
        <span>{t('import.regionLabel')}</span>
        <select data-testid="import-region" value={region ?? ''} disabled={busy} onChange={(event) => setRegion(event.target.value === '' ? undefined : event.target.value)}>
          <option value="">—</option>
          {regions.map((option) => (
            <option key={option.region} value={option.region}>
              {option.name} (+{option.callingCode})
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field" disabled={busy}>
        <legend>{t('import.modeLabel')}</legend>
        <label>
          <input type="radio" name="import-mode" value="merge" checked={mode === 'merge'} onChange={() => setMode('merge')} /> {t('import.modeMerge')}
        </label>
        <label>
          <input type="radio" name="import-mode" value="replace" data-testid="import-mode-replace" checked={mode === 'replace'} onChange={() => setMode('replace')} /> {t('import.modeReplace')}
        </label>
      </fieldset>
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
        {phase === 'done' && summary !== undefined && <ImportResult summary={summary} t={t} onEncoding={(encoding) => void reread(encoding)} />}
        {phase === 'undone' && <StatusNotice text={t('import.undone')} />}
      </div>
      {phase === 'failed' && <ErrorNotice error={error} />}
      {canUndo && !busy && (
        <button type="button" data-testid="import-undo" onClick={() => void undo()}>
          {t('import.undo')}
        </button>
      )}
    </section>
  );
}

function ImportResult({ summary, t, onEncoding }: { summary: ImportSummary; t: Translate; onEncoding: (encoding: string) => void }) {
  return (
    <div className="import-result">
      {summary.mode === 'replace' && <p>{t('import.replaced')}</p>}
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
      {summary.encodingChoices !== undefined && <EncodingChoice current={summary.encoding} choices={summary.encodingChoices} t={t} onChoose={onEncoding} />}
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

/** Offered only when the guess was uncertain: the user picks among readings that all decode the file. */
function EncodingChoice({ current, choices, t, onChoose }: { current: string; choices: string[]; t: Translate; onChoose: (encoding: string) => void }) {
  const [chosen, setChosen] = useState(current);
  return (
    <div className="field encoding-choice">
      <label>
        <span>{t('import.encodingLabel')}</span>
        <select data-testid="import-encoding" value={chosen} onChange={(event) => setChosen(event.target.value)}>
          {choices.map((encoding) => (
            <option key={encoding} value={encoding}>
              {encodingName(encoding)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={chosen === current} onClick={() => onChoose(chosen)}>
        {t('import.encodingApply')}
      </button>
    </div>
  );
}

/** What people call these encodings, so the choice is one a person can make. */
function encodingName(label: string): string {
  const names: Record<string, string> = {
    gb18030: 'GB18030 / GBK (简体中文)',
    big5: 'Big5 (繁體中文)',
    shift_jis: 'Shift_JIS (日本語)',
    'euc-kr': 'EUC-KR (한국어)',
    'windows-1252': 'Windows-1252 (Western European)',
    'windows-1251': 'Windows-1251 (Кириллица)',
    'windows-1250': 'Windows-1250 (Central European)',
    'windows-1253': 'Windows-1253 (Ελληνικά)',
  };
  return names[label] ?? label;
}
