import { useState, type FormEvent } from 'react';
import { regionOfE164 } from '#common/phone/phone.js';
import { useApp } from '#renderer/app/app-store.js';
import { useT } from '#renderer/i18n/i18n.js';
import { Dialog } from '#renderer/ui/Dialog.js';
import { ErrorNotice } from '#renderer/ui/ErrorNotice.js';
import type { LocalPerson } from '#renderer/db/local-db.js';
import { clearChangeToast, showChangeFailure, showChangeToast } from './change-toast.js';
import { saveManualContact, type ManualContactProblem } from './manual-contacts.js';

/** Adds a contact by hand, or edits one (`person`); the toast offers to undo either. */
export function ManualContactDialog({ person, onClose }: { person?: LocalPerson; onClose(): void }) {
  const t = useT();
  const ownPhone = useApp((state) => state.session?.phone);
  const [name, setName] = useState(person?.name ?? '');
  const [phone, setPhone] = useState(person?.phones[0]?.e164 ?? '');
  const [problem, setProblem] = useState<ManualContactProblem | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    clearChangeToast();
    let shown = false;
    try {
      const region = ownPhone === undefined ? undefined : regionOfE164(ownPhone);
      const saved = await saveManualContact({ name, phone, region }, person?.ref, (previous) => {
        shown = true;
        showChangeToast(t, t(person === undefined ? 'manual.added' : 'manual.saved', { name: name.trim() }), previous);
        onClose();
      });
      if (!saved.ok) return setProblem(saved.problem);
    } catch (failure) {
      // The dialog closed when the change was shown: the toast says what went wrong after that.
      if (shown) showChangeFailure(t, failure);
      else setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t(person === undefined ? 'manual.addTitle' : 'manual.editTitle')} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} className="manual-contact">
        <label className="field">
          <span>{t('manual.name')}</span>
          <input value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" required />
        </label>
        <label className="field">
          <span>{t('manual.phone')}</span>
          <input value={phone} onChange={(event) => setPhone(event.target.value)} inputMode="tel" autoComplete="off" required />
        </label>
        {problem !== undefined && (
          <p className="notice notice-error" role="alert">
            {t(`manual.problem.${problem}`)}
          </p>
        )}
        <ErrorNotice error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('manual.save')}
          </button>
          <button type="button" onClick={onClose}>
            {t('manual.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
