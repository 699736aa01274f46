import { useT } from '../../i18n/i18n.js';
import { useFeed } from './feed-store.js';

/** The count of posts that arrived live since the Feed was last shown, inside the Feed tab. */
export function NewPostsBadge() {
  const t = useT();
  const unseen = useFeed((state) => state.unseen);
  if (unseen === 0) return null;
  return (
    <>
      {' '}
      <span className="nav-badge" aria-hidden="true" data-testid="new-posts-badge">
        {unseen > 99 ? '99+' : unseen}
      </span>
      <span className="visually-hidden">{t('nav.newPosts', { count: unseen })}</span>
    </>
  );
}
