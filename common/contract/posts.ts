import { z } from 'zod';

/**
 * Profiles, mood and diary posts, comments, likes and albums (issue 16, M27, M14): the shapes the server
 * and every client share. Pictures are attachments uploaded first with `POST /v1/attachments` (by the
 * same user); views carry their ids, fetched with `GET /v1/attachments/{id}` (and `/thumbnail`) by
 * anyone who may see what holds them.
 */

export const maxDisplayNameLength = 64;
export const maxSignatureLength = 140;
export const maxPostTextLength = 10_000;
export const maxPostPictures = 9;
export const maxCommentLength = 2000;
export const maxAlbumTitleLength = 100;
export const maxCaptionLength = 500;
export const maxPhotosPerAlbum = 1000;
export const maxAlbumsPerUser = 200;
export const maxCommentsPerPost = 1000;

// ---- Profile ----

/**
 * What a user publishes about themselves. Each field is absent until chosen. Others see it under the same
 * rules as activity (contacts, the allowlist, blocks, discoverability, invisibility).
 */
export const profileView = z.object({
  userId: z.string(),
  displayName: z.string().optional(),
  /** M14: a line shown beside the presence status text. */
  signature: z.string().optional(),
  avatarAttachmentId: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type ProfileView = z.infer<typeof profileView>;

/** A key present replaces that field; `null` removes it (so does an empty name or signature); an absent key stays. */
export const updateProfileRequest = z
  .object({
    displayName: z.string().trim().max(maxDisplayNameLength).nullable().optional(),
    signature: z.string().trim().max(maxSignatureLength).nullable().optional(),
    avatarAttachmentId: z.string().uuid().nullable().optional(),
  })
  .strict();
export type UpdateProfileRequest = z.infer<typeof updateProfileRequest>;

export const userParams = z.object({ userId: z.string().uuid() });

// ---- Posts ----

export const postKinds = ['mood', 'diary'] as const;
export type PostKind = (typeof postKinds)[number];
/** Who sees a post: mutual contacts, the author's allowlist, or only the author. */
export const postAudiences = ['contacts', 'allowlist', 'private'] as const;
export type PostAudience = (typeof postAudiences)[number];

/** Opaque to clients: pass `next` back as `before`. */
export const feedCursor = z.string().regex(/^[1-9]\d{0,15}$/);

export const createPostRequest = z
  .object({
    kind: z.enum(postKinds),
    text: z.string().max(maxPostTextLength),
    attachments: z.array(z.string().uuid()).max(maxPostPictures).optional(),
    /** Without it, the author's activity setting decides (`nobody` means `private`). */
    visibleTo: z.enum(postAudiences).optional(),
  })
  .strict()
  .refine((post) => post.text.trim().length > 0 || (post.attachments?.length ?? 0) > 0, { message: 'a post needs text or a picture', path: ['text'] });
export type CreatePostRequest = z.infer<typeof createPostRequest>;

/** The author as a viewer of the post may see them (their profile fields). */
export const postAuthor = z.object({
  userId: z.string(),
  displayName: z.string().optional(),
  avatarAttachmentId: z.string().optional(),
});
export type PostAuthor = z.infer<typeof postAuthor>;

/**
 * Grows with every change of a post's likes or comments. Views, like answers and live events carry it:
 * counts with a smaller version than those shown are older, whatever order they arrive in.
 */
const countsVersion = z.number().int().nonnegative();

export const postView = z.object({
  id: z.string(),
  /** Position in every feed: larger is newer. The badge's `upTo`. */
  seq: z.number().int().positive(),
  kind: z.enum(postKinds),
  text: z.string(),
  /** Picture attachment ids, in the author's order. */
  attachments: z.array(z.string()),
  author: postAuthor,
  /** Only in the author's own view. */
  visibleTo: z.enum(postAudiences).optional(),
  createdAt: z.string(),
  likes: z.number().int().nonnegative(),
  likedByMe: z.boolean(),
  comments: z.number().int().nonnegative(),
  countsVersion,
});
export type PostView = z.infer<typeof postView>;

export const postParams = z.object({ id: z.string().uuid() });
export const pageQuery = z.object({
  before: feedCursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const postsPage = z.object({ posts: z.array(postView), next: feedCursor.optional() });
export type PostsPage = z.infer<typeof postsPage>;

/** The badge: posts of others in my feed newer than what I marked seen (counted up to `cap`). */
export const feedUnseen = z.object({ count: z.number().int().nonnegative(), capped: z.boolean() });
export type FeedUnseen = z.infer<typeof feedUnseen>;
export const maxUnseenCount = 999;
export const markFeedSeenRequest = z.object({ upTo: z.number().int().nonnegative() }).strict();

// ---- Comments and likes ----

export const createCommentRequest = z.object({ text: z.string().trim().min(1).max(maxCommentLength) }).strict();
export const commentView = z.object({
  id: z.string(),
  postId: z.string(),
  author: postAuthor,
  text: z.string(),
  createdAt: z.string(),
});
export type CommentView = z.infer<typeof commentView>;
/** Oldest first. */
export const commentsList = z.object({ comments: z.array(commentView) });
export const commentParams = z.object({ id: z.string().uuid(), commentId: z.string().uuid() });
export const likeState = z.object({ likes: z.number().int().nonnegative(), likedByMe: z.boolean(), countsVersion });
export type LikeState = z.infer<typeof likeState>;

// ---- Albums ----

export const createAlbumRequest = z
  .object({
    title: z.string().trim().min(1).max(maxAlbumTitleLength),
    visibleTo: z.enum(postAudiences).optional(),
  })
  .strict();
export const albumView = z.object({
  id: z.string(),
  ownerId: z.string(),
  title: z.string(),
  /** Only in the owner's own view. */
  visibleTo: z.enum(postAudiences).optional(),
  photoCount: z.number().int().nonnegative(),
  /** The newest photo's attachment, for the grid. */
  coverAttachmentId: z.string().optional(),
  createdAt: z.string(),
});
export type AlbumView = z.infer<typeof albumView>;
export const albumsList = z.object({ albums: z.array(albumView) });

export const addPhotoRequest = z
  .object({ attachmentId: z.string().uuid(), caption: z.string().trim().max(maxCaptionLength).optional() })
  .strict();
export const photoView = z.object({
  id: z.string(),
  albumId: z.string(),
  attachmentId: z.string(),
  caption: z.string().optional(),
  createdAt: z.string(),
});
export type PhotoView = z.infer<typeof photoView>;
/** Oldest first. */
export const photosList = z.object({ photos: z.array(photoView) });
export const albumParams = z.object({ id: z.string().uuid() });
export const photoParams = z.object({ id: z.string().uuid(), photoId: z.string().uuid() });

// ---- Live events ----

/** A post was deleted (or its author can no longer be seen by the receiver): drop it from the feed. */
export const postRemovedEvent = z.object({ id: z.string(), authorId: z.string() });
export type PostRemovedEvent = z.infer<typeof postRemovedEvent>;

/**
 * A comment was added to a post the receiver may see, by someone they are not blocked from: the comment as
 * the receiver sees it (its author line under the profile rules) and the post's new comment count (the
 * `comments` of the post's view, so it counts every comment, as a fresh read would).
 */
export const postCommentEvent = z.object({ comment: commentView, comments: z.number().int().nonnegative(), countsVersion });
export type PostCommentEvent = z.infer<typeof postCommentEvent>;

/** A comment the receiver could see was deleted: drop it from the thread; `comments` is the post's new count. */
export const postCommentRemovedEvent = z.object({ postId: z.string(), commentId: z.string(), comments: z.number().int().nonnegative(), countsVersion });
export type PostCommentRemovedEvent = z.infer<typeof postCommentRemovedEvent>;

/**
 * Someone liked or unliked a post the receiver may see: its new like count. `likedByMe` is present only on
 * the devices of the person who liked or unliked (their own state, for their other devices); others learn
 * the count, never who.
 */
export const postLikesEvent = z.object({ postId: z.string(), likes: z.number().int().nonnegative(), likedByMe: z.boolean().optional(), countsVersion });
export type PostLikesEvent = z.infer<typeof postLikesEvent>;
