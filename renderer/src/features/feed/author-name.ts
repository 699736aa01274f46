import { useApp } from '../../app/app-store.js';
import type { Translate } from '../../i18n/i18n.js';
import { displayName, useContacts } from '../contacts/contacts-store.js';

export interface Author {
  authorId: string;
  authorDisplayName?: string;
}

/**
 * What to call the author of a post or comment: the name I gave them in my address book first (it stays
 * on this device), then the name they publish, then the number I have for them. I am "Me".
 */
export function useAuthorName(author: Author, t: Translate): string {
  const me = useApp((state) => state.session?.userId);
  const person = useContacts((state) => state.people.find((candidate) => candidate.userId === author.authorId));
  if (author.authorId === me) return t('post.me');
  if (person !== undefined && person.name.trim() !== '') return person.name;
  if (author.authorDisplayName !== undefined && author.authorDisplayName.trim() !== '') return author.authorDisplayName;
  if (person !== undefined) return displayName(person);
  return t('post.someone');
}

/** The address-book ref of a user, for a stable avatar colour; the user id when they are not in the book. */
export function useAvatarSeed(userId: string): string {
  return useContacts((state) => state.people.find((candidate) => candidate.userId === userId)?.ref ?? userId);
}
