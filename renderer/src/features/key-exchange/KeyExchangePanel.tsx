import { useState, type FormEvent } from 'react';
import { SealingError } from '#common/address-book/web-crypto.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { askAgain, approveRequest, rejectRequest, restoreWithRecoveryKey, useBookKey, type PairedDevice } from '../../sync/book-key.js';
import { catchUp } from '../../sync/sync-engine.js';

/** `123456` as `123 456`: easier to read aloud and compare between two screens. */
const spaced = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

/**
 * End-to-end encrypted names between my devices: the prompt on a device that holds the book key when
 * another asks for it, the "bring your names here" panel on a device that waits, and the recovery key
 * shown once to the device that made the book key.
 */
export function KeyExchangePanel() {
  const status = useBookKey((state) => state.status);
  const requests = useBookKey((state) => state.requests);
  const recoveryKey = useBookKey((state) => state.recoveryKeyToShow);
  const dismissed = useBookKey((state) => state.dismissed);
  return (
    <>
      {recoveryKey !== undefined && <RecoveryKeyNotice recoveryKey={recoveryKey} />}
      {status === 'ready' && requests.map((request) => <ApprovalPrompt key={request.deviceId} request={request} />)}
      {(status === 'needs-key' || status === 'rejected') && !dismissed && <BringNamesPanel rejected={status === 'rejected'} />}
    </>
  );
}

function ApprovalPrompt({ request }: { request: PairedDevice }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function answer(approve: boolean): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await (approve ? approveRequest(request) : rejectRequest(request));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="key-panel" role="alertdialog" aria-labelledby={`key-request-${request.deviceId}`} data-testid="key-request">
      <p id={`key-request-${request.deviceId}`} className="key-panel-text">
        {t('keyExchange.request', { device: request.name || t('keyExchange.unnamedDevice') })}
      </p>
      <p className="key-code" data-testid="key-request-code" aria-label={t('keyExchange.codeLabel')}>
        {spaced(request.code)}
      </p>
      <p className="key-panel-hint">{t('keyExchange.requestHint')}</p>
      <div className="key-panel-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void answer(true)}>
          {t('keyExchange.approve')}
        </button>
        <button type="button" disabled={busy} onClick={() => void answer(false)}>
          {t('keyExchange.reject')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </section>
  );
}

function BringNamesPanel({ rejected }: { rejected: boolean }) {
  const t = useT();
  const approvers = useBookKey((state) => state.approvers);
  const dismiss = useBookKey((state) => state.dismiss);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [wrongKey, setWrongKey] = useState(false);

  async function restore(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setWrongKey(false);
    try {
      await restoreWithRecoveryKey(typed);
      await catchUp();
    } catch (failure) {
      if (failure instanceof SealingError) setWrongKey(true);
      else setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="key-panel" aria-labelledby="bring-names-heading" data-testid="bring-names">
      <h2 id="bring-names-heading" className="key-panel-heading">
        {t('keyExchange.bringHeading')}
      </h2>
      <p className="key-panel-hint">{t('keyExchange.bringIntro')}</p>
      {rejected ? (
        <p className="key-panel-text" role="status">
          {t('keyExchange.rejected')}{' '}
          <button type="button" onClick={() => void askAgain().catch(setError)}>
            {t('keyExchange.askAgain')}
          </button>
        </p>
      ) : approvers.length === 0 ? (
        <p className="key-panel-text">{t('keyExchange.noApprover')}</p>
      ) : (
        <ul className="key-approvers">
          {approvers.map((device) => (
            <li key={device.deviceId}>
              <span className="key-panel-text">{t('keyExchange.approveOn', { device: device.name || t('keyExchange.unnamedDevice') })}</span>
              <span className="key-code" data-testid="key-wait-code">
                {spaced(device.code)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form className="key-recovery" onSubmit={(event) => void restore(event)}>
        <label htmlFor="recovery-key">{t('keyExchange.recoveryLabel')}</label>
        <input
          id="recovery-key"
          value={typed}
          autoComplete="off"
          spellCheck={false}
          placeholder="ABCD-EFGH-…"
          aria-invalid={wrongKey}
          onChange={(event) => setTyped(event.target.value)}
        />
        <button type="submit" disabled={busy || typed.trim() === ''}>
          {t('keyExchange.restore')}
        </button>
      </form>
      {wrongKey && (
        <p className="notice notice-error" role="alert">
          {t('keyExchange.recoveryWrong')}
        </p>
      )}
      <ErrorNotice error={error} />
      <button type="button" className="key-panel-later" onClick={dismiss}>
        {t('keyExchange.later')}
      </button>
    </section>
  );
}

function RecoveryKeyNotice({ recoveryKey }: { recoveryKey: string }) {
  const t = useT();
  const seen = useBookKey((state) => state.recoveryKeySeen);
  return (
    <section className="key-panel" aria-labelledby="recovery-heading" data-testid="recovery-key-notice">
      <h2 id="recovery-heading" className="key-panel-heading">
        {t('keyExchange.recoveryHeading')}
      </h2>
      <p className="key-panel-hint">{t('keyExchange.recoveryIntro')}</p>
      <p className="key-recovery-value" data-testid="recovery-key">
        {recoveryKey}
      </p>
      <button type="button" className="primary" onClick={seen}>
        {t('keyExchange.recoverySeen')}
      </button>
    </section>
  );
}
