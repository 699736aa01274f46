import { useEffect, useRef, useState } from 'react';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { formatSince } from '../../ui/format.js';
import { useAuthorName } from './author-name.js';
import { useFeed } from './feed-store.js';
import type { CommentView } from './post-types.js';
import { postLimits } from './posts-api.js';
import { useApp } from '../../app/app-store.js';

/** A post's comments, oldest first as a conversation reads, and a box to add one. */
export function Comments({ postId, postAuthorId }: { postId: string; postAuthorId: string }) {
  const t = useT();
  const me = useApp((state) => state.session?.userId);
  const thread = useFeed((state) => state.comments[postId]);
  const connection = useApp((state) => state.connection);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  // Comments arrive live; those added or deleted while the connection was down are read again when it is back.
  const lastConnection = useRef(connection);
  useEffect(() => {
    const cameBack = connection === 'online' && lastConnection.current !== 'online';
    lastConnection.current = connection;
    if (cameBack) void useFeed.getState().loadComments(postId);
  }, [connection, postId]);

  async function send(): Promise<void> {
    const trimmed = text.trim();
    if (trimmed === '' || sending) return;
    setSending(true);
    setError(undefined);
    try {
      await useFeed.getState().comment(postId, trimmed);
      setText('');
    } catch (failure) {
      setError(failure);
    } finally {
      setSending(false);
    }
  }

  return (
    <section className="comments" aria-label={t('post.commentsLabel')}>
      <p className="visually-hidden" role="status" aria-live="polite">
        {thread !== undefined && thread.arrived > 0 ? t('post.commentsArrived', { count: thread.arrived }) : ''}
      </p>
      {thread?.phase === 'loading' && thread.items.length === 0 && <p className="muted">{t('common.loading')}</p>}
      {thread?.phase === 'failed' &&
        (connection !== 'online' && thread.items.length > 0 ? (
          // Offline with a saved copy: not an error, and the comments are there to read.
          <p className="notice" data-testid="comments-offline-note">
            {t('post.commentsSaved')}
          </p>
        ) : (
          <p className="notice notice-error" role="alert">
            {t('post.commentsFailed')}
          </p>
        ))}
      {thread?.phase === 'ready' && thread.items.length === 0 && <p className="muted">{t('post.noComments')}</p>}
      {thread !== undefined && thread.items.length > 0 && (
        <ul className="comment-list">
          {thread.items.map((comment) => (
            <CommentItem key={comment.id} comment={comment} removable={comment.authorId === me || postAuthorId === me} onError={setError} />
          ))}
        </ul>
      )}
      <form
        className="comment-form"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <label className="visually-hidden" htmlFor={`comment-${postId}`}>
          {t('post.commentLabel')}
        </label>
        <input id={`comment-${postId}`} value={text} maxLength={postLimits.maxCommentLength} placeholder={t('post.commentLabel')} onChange={(event) => setText(event.target.value)} />
        <button type="submit" disabled={sending || text.trim() === ''}>
          {t('post.send')}
        </button>
      </form>
      <ErrorNotice error={error} paced="paced.comments" />
    </section>
  );
}

/** A comment; its author and the post's author may delete it. */
function CommentItem({ comment, removable, onError }: { comment: CommentView; removable: boolean; onError(error: unknown): void }) {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const name = useAuthorName(comment, t);
  const [busy, setBusy] = useState(false);

  async function remove(): Promise<void> {
    setBusy(true);
    onError(undefined);
    try {
      await useFeed.getState().removeComment(comment.postId, comment.id);
    } catch (failure) {
      onError(failure);
      setBusy(false);
    }
  }

  return (
    <li className="comment" data-testid="comment">
      <span className="comment-author">{name}</span> <span className="comment-text">{comment.text}</span>{' '}
      <time className="muted small" dateTime={comment.createdAt}>
        {formatSince(comment.createdAt, language)}
      </time>
      {removable && (
        <button type="button" className="link comment-delete" disabled={busy} onClick={() => void remove()} aria-label={t('post.deleteCommentOf', { name })}>
          {t('post.deleteComment')}
        </button>
      )}
    </li>
  );
}
