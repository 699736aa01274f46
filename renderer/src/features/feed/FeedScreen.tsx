import { useEffect, useRef } from 'react';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { openProfile } from '../profile/profile-store.js';
import { Composer } from './Composer.js';
import { useFeed } from './feed-store.js';
import { PostCard } from './PostCard.js';

/**
 * My contacts' posts, newest first: the next page loads as the end of the list comes into view (and by
 * a button, for keyboards and when the observer is not there). Live posts arrive at the top.
 */
export function FeedScreen() {
  const t = useT();
  const feed = useFeed((state) => state.feed);
  const arrived = useFeed((state) => state.arrived);
  const connection = useApp((state) => state.connection);
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    useFeed.setState({ arrived: 0 });
    useFeed.getState().markSeen();
    void useFeed.getState().loadFeed().then(() => useApp.getState().screen === 'feed' && useFeed.getState().markSeen());
  }, []);

  // Back online: whatever was posted meanwhile comes in with a fresh first page.
  const lastConnection = useRef(connection);
  useEffect(() => {
    const cameBack = connection === 'online' && lastConnection.current !== 'online';
    lastConnection.current = connection;
    if (cameBack) void useFeed.getState().loadFeed().then(() => useFeed.getState().markSeen());
  }, [connection]);

  useEffect(() => {
    const target = sentinel.current;
    if (target === null || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void useFeed.getState().loadMoreFeed();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [feed.phase]);

  return (
    <section className="screen feed-screen" aria-labelledby="feed-heading">
      <div className="screen-header">
        <h1 id="feed-heading">{t('feed.heading')}</h1>
        <button type="button" onClick={() => openProfile(undefined)}>
          {t('feed.myProfile')}
        </button>
      </div>
      <p className="muted screen-intro">{t('feed.intro')}</p>
      <Composer />
      {connection === 'offline' && feed.ids.length > 0 && (
        <p className="notice notice-warning" role="status" data-testid="feed-offline-note">
          {t('feed.offlineSaved')}
        </p>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {arrived > 0 ? t('feed.arrived', { count: arrived }) : ''}
      </p>
      {feed.phase === 'loading' && feed.ids.length === 0 && <p className="muted">{t('common.loading')}</p>}
      {feed.phase === 'failed' && (
        <div className="notice notice-error" role="alert">
          <p>{t('feed.loadFailed')}</p>
          <button type="button" onClick={() => void useFeed.getState().loadFeed()}>
            {t('feed.retry')}
          </button>
        </div>
      )}
      {feed.phase === 'ready' && feed.ids.length === 0 && (
        <div className="empty-state">
          <h2>{t('feed.empty')}</h2>
          <p>{t('feed.emptyHint')}</p>
        </div>
      )}
      {feed.ids.length > 0 && (
        <ol className="post-list" aria-labelledby="feed-heading" data-testid="feed">
          {feed.ids.map((id) => (
            <li key={id}>
              <PostCard postId={id} />
            </li>
          ))}
        </ol>
      )}
      <div ref={sentinel} className="feed-end">
        {feed.phase === 'ready' && feed.next !== undefined && feed.fromSavedCopy.length === 0 && (
          <button type="button" disabled={feed.loadingMore} onClick={() => void useFeed.getState().loadMoreFeed()}>
            {feed.loadingMore ? t('common.loading') : t('feed.loadMore')}
          </button>
        )}
        {/* The saved copy has no cursor: whether there is more is known once the server answers. */}
        {feed.phase === 'ready' && feed.next === undefined && feed.ids.length > 0 && feed.fromSavedCopy.length === 0 && <p className="muted">{t('feed.end')}</p>}
        {/* Offline the note above says it calmly; a failed read is news only while the connection is up. */}
        {feed.phase === 'ready' && connection !== 'offline' && <ErrorNotice error={feed.error} />}
      </div>
    </section>
  );
}
