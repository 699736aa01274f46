import { useEffect } from 'react';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { usePresence } from '../contacts/presence-store.js';
import { useAuthorName } from '../feed/author-name.js';
import { AuthorAvatar } from '../feed/AuthorAvatar.js';
import { useFeed } from '../feed/feed-store.js';
import { PostCard } from '../feed/PostCard.js';
import { AlbumsPanel } from './AlbumsPanel.js';
import { MyProfileForm } from './MyProfileForm.js';
import { useProfiles } from './profile-store.js';

/** Mine (editable) or a contact's (read-only): who they are, their posts and their albums. */
export function ProfileScreen() {
  const viewing = useProfiles((state) => state.viewing);
  const myId = useApp((state) => state.session?.userId ?? '');
  const userId = viewing ?? myId;
  return <ProfileOf key={userId} userId={userId} mine={viewing === undefined || viewing === myId} />;
}

function ProfileOf({ userId, mine }: { userId: string; mine: boolean }) {
  const t = useT();
  const entry = useProfiles((state) => state.profiles[userId]);
  const returnTo = useProfiles((state) => state.returnTo);
  const presenceText = usePresence((state) => state.byUser[userId]?.text ?? '');
  const name = useAuthorName({ authorId: userId, authorDisplayName: entry?.profile?.displayName }, t);
  const profile = entry?.profile;

  useEffect(() => {
    void useProfiles.getState().loadProfile(mine ? undefined : userId);
    void useFeed.getState().loadUserPosts(userId);
    void useProfiles.getState().loadAlbums(userId);
  }, [userId, mine]);

  const heading = mine ? t('profile.mine') : t('profile.contactOf', { name });

  return (
    <section className="screen profile-screen" aria-labelledby="profile-heading">
      <div className="screen-header">
        {!mine && (
          <button type="button" onClick={() => useApp.getState().setScreen(returnTo)}>
            <span aria-hidden="true">‹ </span>
            {t('profile.back')}
          </button>
        )}
        <h1 id="profile-heading">{heading}</h1>
      </div>

      {mine ? (
        <>
          <p className="muted screen-intro">{t('profile.intro')}</p>
          {entry?.phase === 'loading' ? <p className="muted">{t('common.loading')}</p> : <MyProfileForm profile={profile} />}
          {entry?.phase === 'failed' && <ErrorNotice error={entry.error} />}
        </>
      ) : entry?.hidden === true ? (
        <p className="notice">{t('profile.hidden')}</p>
      ) : (
        <div className="profile-card" data-testid="profile-card">
          <AuthorAvatar userId={userId} name={name} avatarId={profile?.avatarAttachmentId} size="lg" />
          <div className="profile-card-text">
            <p className="profile-name">{profile?.displayName !== undefined && profile.displayName !== '' && profile.displayName !== name ? `${name} · ${profile.displayName}` : name}</p>
            {(profile?.signature ?? '') !== '' && <p className="profile-signature">{profile?.signature}</p>}
            {presenceText !== '' && (
              <p className="muted small">{t('profile.statusLine', { text: presenceText })}</p>
            )}
          </div>
          {entry?.phase === 'failed' && <ErrorNotice error={entry.error} />}
        </div>
      )}

      {entry?.hidden !== true && <ProfileContent userId={userId} mine={mine} />}
    </section>
  );
}

/** Their posts and albums; nothing of it for a profile the server does not show me. */
function ProfileContent({ userId, mine }: { userId: string; mine: boolean }) {
  const t = useT();
  const posts = useFeed((state) => state.byUser[userId]);
  return (
    <>
      <h2>{t('profile.posts')}</h2>
      {posts?.phase === 'loading' && <p className="muted">{t('common.loading')}</p>}
      {posts?.phase === 'failed' && <ErrorNotice error={posts.error} />}
      {posts?.phase === 'ready' && posts.ids.length === 0 && <p className="muted">{t('profile.noPosts')}</p>}
      {posts !== undefined && posts.ids.length > 0 && (
        <ol className="post-list" aria-label={t('profile.posts')}>
          {posts.ids.map((id) => (
            <li key={id}>
              <PostCard postId={id} showAuthorLink={false} />
            </li>
          ))}
        </ol>
      )}
      {posts?.phase === 'ready' && posts.next !== undefined && (
        <button type="button" disabled={posts.loadingMore} onClick={() => void useFeed.getState().loadUserPosts(userId, true)}>
          {posts.loadingMore ? t('common.loading') : t('feed.loadMore')}
        </button>
      )}

      <AlbumsPanel userId={userId} editable={mine} />
    </>
  );
}
