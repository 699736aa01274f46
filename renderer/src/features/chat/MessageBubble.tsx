import { useState } from 'react';
import { isMessageKey, useLanguage, useT } from '../../i18n/i18n.js';
import type { MessageKey } from '../../i18n/en.js';
import { formatSince } from '../../ui/format.js';
import { tickOf, type Tick } from './chat-logic.js';
import { downloadAttachment, useAttachment, useBlobUrl } from './chat-files.js';
import { nameOf } from './chat-notify.js';
import { CallLogLine } from '../calls/CallLogLine.js';
import { discard, retry } from './chat-outbox.js';
import type { LocalChatMessage, LocalConversation, PendingFile } from './chat-types.js';

const tickMarks: Record<Exclude<Tick, 'sending'>, string> = { failed: '!', sent: '✓', delivered: '✓✓', read: '✓✓' };

/** A drawn clock for "waiting to be sent" (the clock emoji is missing from some systems' fonts). */
function ClockMark() {
  return (
    <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" aria-hidden="true">
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7v5l3 2" />
    </svg>
  );
}
const tickLabels: Record<Tick, MessageKey> = {
  sending: 'chat.tick.sending',
  failed: 'chat.tick.failed',
  sent: 'chat.tick.sent',
  delivered: 'chat.tick.delivered',
  read: 'chat.tick.read',
};

function Attachment({ attachmentId }: { attachmentId: string }) {
  const t = useT();
  const { view, url } = useAttachment(attachmentId);
  const [error, setError] = useState(false);
  if (view.kind === 'loading') return <span className="attachment-loading muted">{t('common.loading')}</span>;
  if (view.kind === 'picture' && url !== undefined) return <img className="attachment-picture" src={url} alt={t('chat.picture')} data-testid="thumbnail" />;
  return (
    <span className="attachment-file">
      <button type="button" className="link" onClick={() => void downloadAttachment(attachmentId).catch(() => setError(true))}>
        📎 {t('chat.downloadFile')}
      </button>
      {(error || view.kind === 'unavailable') && <span className="muted"> · {t('chat.fileUnavailable')}</span>}
    </span>
  );
}

function LocalFile({ file }: { file: PendingFile }) {
  const t = useT();
  const url = useBlobUrl(file.type.startsWith('image/') ? file.blob : undefined);
  if (url !== undefined) return <img className="attachment-picture" src={url} alt={t('chat.picture')} />;
  return <span className="attachment-file">📎 {file.name}</span>;
}

function failureText(t: ReturnType<typeof useT>, code: string | undefined): string {
  const key = `error.${code ?? ''}`;
  return isMessageKey(key) ? t(key, { network: '' }) : t('error.client_error', { network: '' });
}

/** One message: its text or file, the time, and for my own the tick (or "Retry" when it was refused). */
export function MessageBubble({ message, conversation, me, showSender, highlighted }: { message: LocalChatMessage; conversation: LocalConversation; me: string; showSender: boolean; highlighted: boolean }) {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const mine = message.from.userId === me;
  const tick = mine ? tickOf(message, conversation, me) : undefined;
  const body = message.body;
  return (
    <div className={`message ${mine ? 'message-mine' : 'message-theirs'}${highlighted ? ' message-highlight' : ''}`} data-testid="message" data-state={tick ?? 'received'} data-key={message.key}>
      <div className="bubble">
        {showSender && <p className="bubble-sender">{nameOf(message.from)}</p>}
        {'text' in body ? (
          <p className="bubble-text">{body.text}</p>
        ) : 'call' in body ? (
          <p className="bubble-text">
            <CallLogLine call={body.call} outgoing={mine} />
          </p>
        ) : (
          <>
            {'pendingFile' in body ? <LocalFile file={body.pendingFile} /> : <Attachment attachmentId={body.attachmentId} />}
            {body.caption !== undefined && body.caption !== '' && <p className="bubble-text">{body.caption}</p>}
          </>
        )}
        <p className="bubble-meta">
          <time dateTime={message.sentAt}>{formatSince(message.sentAt, language)}</time>
          {tick !== undefined && (
            <span className="tick" data-tick={tick} role="img" aria-label={t(tickLabels[tick])} title={t(tickLabels[tick])}>
              {tick === 'sending' ? <ClockMark /> : tickMarks[tick]}
            </span>
          )}
        </p>
      </div>
      {tick === 'failed' && (
        <p className="message-failed" role="alert">
          {failureText(t, message.failure)}{' '}
          <button type="button" className="link" onClick={() => void retry(message.key)}>
            {t('chat.retry')}
          </button>{' '}
          <button type="button" className="link" onClick={() => void discard(message.key)}>
            {t('chat.discard')}
          </button>
        </p>
      )}
    </div>
  );
}
