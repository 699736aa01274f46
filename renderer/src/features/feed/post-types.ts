import { postAudiences, postKinds, type PostAudience, type PostKind } from '#common/contract/posts.js';

/**
 * Posts as the screens show them. The server's shapes (common/contract/posts.ts) are mapped to these
 * in posts-api.ts only, so a change there is one place to follow here.
 */

export { postAudiences, postKinds, type PostAudience, type PostKind };

export interface PostView {
  id: string;
  /** Larger is newer, in every feed; what the badge is marked seen up to. */
  seq: number;
  authorId: string;
  /** The name the author publishes on their profile, when I may see it. */
  authorDisplayName?: string;
  authorAvatarId?: string;
  kind: PostKind;
  text: string;
  pictures: string[];
  /** Only known for my own posts. */
  visibleTo?: PostAudience;
  createdAt: string;
  commentCount: number;
  likeCount: number;
  likedByMe: boolean;
  /**
   * The server's version of the three counts above: counts that arrive with a smaller one are older than
   * those shown and are not taken. Absent in copies this device saved before versions existed.
   */
  countsVersion?: number;
}

export interface CommentView {
  id: string;
  postId: string;
  authorId: string;
  authorDisplayName?: string;
  text: string;
  createdAt: string;
}

export interface PostDraft {
  kind: PostKind;
  text: string;
  attachments: string[];
  visibleTo: PostAudience;
}

export interface ProfileView {
  userId: string;
  displayName: string;
  signature: string;
  avatarAttachmentId?: string;
}

export interface AlbumPhotoView {
  id: string;
  attachmentId: string;
  caption: string;
}

export interface AlbumView {
  id: string;
  ownerId: string;
  title: string;
  photoCount: number;
  coverAttachmentId?: string;
  visibleTo?: PostAudience;
  createdAt: string;
}

/** Newest first, by the server's feed position (larger is newer). */
export function newestFirst(a: { seq: number }, b: { seq: number }): number {
  return b.seq - a.seq;
}
