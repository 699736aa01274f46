import { describeFailure } from '../api/failure.js';
import { isMessageKey, useT } from '../i18n/i18n.js';

/** Every failure shows in words and with its code, so a user can report it and a developer can find it. */
export function ErrorNotice({ error }: { error: unknown }) {
  const t = useT();
  if (error === undefined || error === null) return null;
  const { code, message } = describeFailure(error);
  const key = `error.${code}`;
  const text = isMessageKey(key) ? t(key) : message;
  return (
    <p className="notice notice-error" role="alert" data-error-code={code}>
      {t('common.errorWithCode', { message: text, code })}
    </p>
  );
}

export function StatusNotice({ text }: { text: string | undefined }) {
  if (text === undefined || text === '') return null;
  return (
    <p className="notice" role="status">
      {text}
    </p>
  );
}
