import type { MessageKey, MessageParams } from '../i18n/i18n.js';
import { useT } from '../i18n/i18n.js';
import { humanError } from './human-error.js';

/**
 * A failure in words, with what to do next. The code stays out of sight in data-error-code, for tests
 * and for a developer inspecting the page; a person never has to read it.
 */
export function ErrorNotice({ error, params, paced }: { error: unknown; params?: MessageParams; paced?: MessageKey }) {
  const t = useT();
  if (error === undefined || error === null) return null;
  const { code, text } = humanError(t, error, params, paced);
  return (
    <p className="notice notice-error" role="alert" data-error-code={code}>
      {text}
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
