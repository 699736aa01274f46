import { Avatar } from '../../ui/Avatar.js';
import { Picture } from '../../ui/Picture.js';
import { useAvatarSeed } from './author-name.js';

/** The picture a person publishes as their avatar, or their initials on their colour; decorative. */
export function AuthorAvatar({ userId, name, avatarId, size = 'sm' }: { userId: string; name: string; avatarId?: string; size?: 'sm' | 'lg' }) {
  const seed = useAvatarSeed(userId);
  if (avatarId === undefined) return <Avatar name={name} seed={seed} size={size} />;
  return (
    <span className={`avatar avatar-picture${size === 'lg' ? ' avatar-lg' : ''}`} aria-hidden="true">
      <Picture attachmentId={avatarId} size="thumbnail" alt="" />
    </span>
  );
}
