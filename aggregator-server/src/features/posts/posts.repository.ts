import type { PostAudience, PostKind } from '#common/contract/posts.js';

export type StoredPost = {
  id: string;
  /** From the one counter, in commit order: the feed's order and cursor. */
  seq: number;
  authorId: string;
  kind: PostKind;
  text: string;
  visibleTo: PostAudience;
  /** Picture attachment ids in the author's order. */
  attachments: string[];
  createdAt: number;
};
export type NewPost = Omit<StoredPost, 'seq'>;

export type StoredComment = { id: string; postId: string; authorId: string; text: string; createdAt: number };
/** `countsVersion` grows with every change of the post's likes or comments: of two reads, the larger is the newer. */
export type PostCounts = { likes: number; comments: number; likedByMe: boolean; countsVersion: number };

/**
 * Whose posts a viewer may read: every post of `self`, posts for `contacts` of the first list, posts for
 * the `allowlist` of the second.
 */
export type FeedScope = { self: string | undefined; contacts: string[]; allowlist: string[] };

export type StoredAlbum = { id: string; ownerId: string; title: string; visibleTo: PostAudience; createdAt: number };
export type AlbumSummary = StoredAlbum & { photoCount: number; coverAttachmentId: string | undefined };
export type StoredPhoto = { id: string; albumId: string; attachmentId: string; caption: string | null; createdAt: number };

/** Where owners and audiences of something showing a file are found (for attachment access). */
export type FileShowing = { ownerId: string; visibleTo: PostAudience };

export interface PostsRepository {
  /** Numbers and stores the post with its pictures in one transaction. */
  createPost(post: NewPost): Promise<StoredPost>;
  findPost(id: string): Promise<StoredPost | undefined>;
  /** Deletes the author's post (comments, likes and picture links go with it); its picture ids, or undefined. */
  deletePost(id: string, authorId: string): Promise<string[] | undefined>;
  /** Newest first, below `before` when given. */
  page(scope: FeedScope, before: number | undefined, limit: number): Promise<StoredPost[]>;
  /** How many posts of the scope are numbered above `after`, counting up to `cap`. */
  countAfter(scope: FeedScope, after: number, cap: number): Promise<number>;
  /** Counts and version read in one statement, so they belong together. */
  countsFor(postIds: string[], viewerId: string): Promise<Map<string, PostCounts>>;

  /** Adds a comment while the post has fewer than `max`; false when it is full. Changes move the post's counts version. */
  addComment(comment: StoredComment, max: number): Promise<boolean>;
  comments(postId: string): Promise<StoredComment[]>;
  findComment(id: string): Promise<StoredComment | undefined>;
  /** Whether this call deleted it (false when it was gone already). */
  deleteComment(id: string): Promise<boolean>;
  /** Whether the like was added or taken back (false when it already was as asked, or the post is gone). */
  setLike(postId: string, userId: string, liked: boolean, now: number): Promise<boolean>;

  seenMark(userId: string): Promise<number>;
  /** Moves the mark forward only (never back), in one statement. */
  markSeen(userId: string, upTo: number): Promise<void>;
  lastSeq(): Promise<number>;

  /** Creates an album while the owner has fewer than `max`; false when at the limit. */
  createAlbum(album: StoredAlbum, max: number): Promise<boolean>;
  findAlbum(id: string): Promise<StoredAlbum | undefined>;
  /** Newest first, with photo counts and covers; only audiences of `audiences` unless it is 'all'. */
  albumsOf(ownerId: string, audiences: PostAudience[] | 'all'): Promise<AlbumSummary[]>;
  /** The owner's album gone with its photos; their attachment ids, or undefined. */
  deleteAlbum(id: string, ownerId: string): Promise<string[] | undefined>;
  /** Adds a photo while the album has fewer than `max`; false when full. */
  addPhoto(photo: StoredPhoto, max: number): Promise<boolean>;
  photos(albumId: string): Promise<StoredPhoto[]>;
  /** The photo's attachment id once removed, or undefined. */
  deletePhoto(albumId: string, photoId: string): Promise<string | undefined>;

  /** Posts and albums showing this file. */
  showingsOf(attachmentId: string): Promise<FileShowing[]>;

  /** Account deletion: the user's posts, comments, likes, mark and albums (their uploads go with the attachments). */
  deleteUser(userId: string): Promise<void>;
}
