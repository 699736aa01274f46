import { useId, useState } from 'react';
import { useApp } from '../../app/app-store.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { formatSince } from '../../ui/format.js';
import { Picture } from '../../ui/Picture.js';
import { PictureViewer } from '../../ui/PictureViewer.js';
import { useToast } from '../../ui/toast-store.js';
import { openProfile } from '../profile/profile-store.js';
import { useAuthorName } from './author-name.js';
import { AuthorAvatar } from './AuthorAvatar.js';
import { Comments } from './Comments.js';
import { useFeed } from './feed-store.js';

/**
 * One post: who and when, the text, its pictures (a viewer opens on click), likes and comments, and for
 * my own posts who sees them and Delete.
 */
export function PostCard({ postId, showAuthorLink = true }: { postId: string; showAuthorLink?: boolean }) {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const post = useFeed((state) => state.posts[postId]);
  const me = useApp((state) => state.session?.userId);
  const [commentsOpen, setCommentsOpen] = useState(false);
  const [viewing, setViewing] = useState<number | undefined>(undefined);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const headingId = useId();
  const commentsId = useId();
  const name = useAuthorName(post ?? { authorId: '' }, t);
  if (post === undefined) return null;
  const mine = post.authorId === me;
  const time = formatSince(post.createdAt, language);
  const kind = t(post.kind === 'mood' ? 'post.mood' : 'post.diary');

  async function like(): Promise<void> {
    setError(undefined);
    try {
      await useFeed.getState().toggleLike(postId);
    } catch (failure) {
      setError(failure);
    }
  }

  async function remove(): Promise<void> {
    setError(undefined);
    try {
      await useFeed.getState().remove(postId);
      useToast.getState().show(t('post.deleted'));
    } catch (failure) {
      setConfirmingDelete(false);
      setError(failure);
    }
  }

  return (
    <article className={`post post-${post.kind}`} aria-labelledby={headingId} data-testid="post" data-post-id={post.id}>
      <header className="post-header">
        <AuthorAvatar userId={post.authorId} name={name} avatarId={post.authorAvatarId} />
        <div className="post-who">
          <h3 id={headingId} className="post-author">
            {showAuthorLink && !mine ? (
              <button type="button" className="link post-author-link" onClick={() => openProfile(post.authorId)}>
                {name}
              </button>
            ) : (
              name
            )}
          </h3>
          <p className="post-meta muted">
            <span className={`post-kind post-kind-${post.kind}`}>{kind}</span> · <time dateTime={post.createdAt}>{time}</time>
            {mine && post.visibleTo !== undefined && <> · {t('post.visibleTo', { audience: t(`post.visible.${post.visibleTo}`) })}</>}
          </p>
        </div>
      </header>

      {post.text !== '' && <p className="post-text">{post.text}</p>}

      {post.pictures.length > 0 && (
        <ul className={`post-pictures post-pictures-${Math.min(post.pictures.length, 3)}`} aria-label={t('post.pictures', { count: post.pictures.length })}>
          {post.pictures.map((attachmentId, index) => (
            <li key={attachmentId}>
              <button type="button" className="picture-button" onClick={() => setViewing(index)} aria-label={t('post.openPicture', { index: index + 1, count: post.pictures.length })}>
                <Picture attachmentId={attachmentId} size="thumbnail" alt="" />
              </button>
            </li>
          ))}
        </ul>
      )}

      <div className="post-actions">
        <button type="button" className="post-action" aria-pressed={post.likedByMe} onClick={() => void like()}>
          <span aria-hidden="true">{post.likedByMe ? '♥' : '♡'}</span> {post.likedByMe ? t('post.liked') : t('post.like')}
          <span className="post-count"> · {t('post.likes', { count: post.likeCount })}</span>
        </button>
        <button
          type="button"
          className="post-action"
          aria-expanded={commentsOpen}
          aria-controls={commentsId}
          onClick={() => {
            const opening = !commentsOpen;
            setCommentsOpen(opening);
            if (opening) void useFeed.getState().loadComments(postId);
          }}
        >
          {t('post.comments', { count: post.commentCount })}
        </button>
        {mine && !confirmingDelete && (
          <button type="button" className="post-action danger" onClick={() => setConfirmingDelete(true)}>
            {t('post.delete')}
          </button>
        )}
      </div>
      {confirmingDelete && (
        <div className="post-confirm" role="group" aria-label={t('post.delete')}>
          <p>{t('post.deleteConfirm')}</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove()}>
              {t('post.deleteYes')}
            </button>
            <button type="button" onClick={() => setConfirmingDelete(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={error} paced="paced.likes" />
      <div id={commentsId} hidden={!commentsOpen}>
        {commentsOpen && <Comments postId={postId} postAuthorId={post.authorId} />}
      </div>

      {viewing !== undefined && (
        <PictureViewer
          pictures={post.pictures.map((attachmentId) => ({ attachmentId }))}
          startAt={viewing}
          title={t('post.picturesOf', { name })}
          onClose={() => setViewing(undefined)}
        />
      )}
    </article>
  );
}
