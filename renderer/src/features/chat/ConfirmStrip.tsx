import { useEffect, useRef } from 'react';
import { useT } from '../../i18n/i18n.js';

/**
 * "Are you sure?" under the button that asked, for a step that cannot be undone here. Focus moves to
 * Cancel, the safe answer, so Enter by habit changes nothing.
 */
export function ConfirmStrip({
  label,
  question,
  confirmText,
  busy,
  onConfirm,
  onCancel,
}: {
  label: string;
  question: string;
  confirmText: string;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const t = useT();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancel.current?.focus();
  }, []);

  return (
    <div className="confirm-strip" role="group" aria-label={label}>
      <p>{question}</p>
      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          {confirmText}
        </button>
        <button ref={cancel} type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
