import {
  maxAlbumTitleLength,
  maxCaptionLength,
  maxCommentLength,
  maxDisplayNameLength,
  maxPostPictures,
  maxPostTextLength,
  maxSignatureLength,
  type AlbumView as ServerAlbum,
  type CommentView as ServerComment,
  type PhotoView as ServerPhoto,
  type PostView as ServerPost,
  type ProfileView as ServerProfile,
} from '#common/contract/posts.js';
import { api } from '../../app/app-store.js';
import type { PostCounts } from './post-counts.js';
import type { AlbumPhotoView, AlbumView, CommentView, PostDraft, PostView, ProfileView } from './post-types.js';

/** The server's limits, so a field stops where the server would refuse. */
export const postLimits = { maxPictures: maxPostPictures, maxTextLength: maxPostTextLength, maxCommentLength } as const;
export const profileLimits = { maxDisplayNameLength, maxSignatureLength } as const;
export const albumLimits = { maxTitleLength: maxAlbumTitleLength, maxCaptionLength } as const;

export function toPost(post: ServerPost): PostView {
  return {
    id: post.id,
    seq: post.seq,
    authorId: post.author.userId,
    ...(post.author.displayName === undefined ? {} : { authorDisplayName: post.author.displayName }),
    ...(post.author.avatarAttachmentId === undefined ? {} : { authorAvatarId: post.author.avatarAttachmentId }),
    kind: post.kind,
    text: post.text,
    pictures: post.attachments,
    ...(post.visibleTo === undefined ? {} : { visibleTo: post.visibleTo }),
    createdAt: post.createdAt,
    commentCount: post.comments,
    likeCount: post.likes,
    likedByMe: post.likedByMe,
    countsVersion: post.countsVersion,
  };
}

export function toComment(comment: ServerComment): CommentView {
  return {
    id: comment.id,
    postId: comment.postId,
    authorId: comment.author.userId,
    ...(comment.author.displayName === undefined ? {} : { authorDisplayName: comment.author.displayName }),
    text: comment.text,
    createdAt: comment.createdAt,
  };
}

function toProfile(profile: ServerProfile): ProfileView {
  return {
    userId: profile.userId,
    displayName: profile.displayName ?? '',
    signature: profile.signature ?? '',
    ...(profile.avatarAttachmentId === undefined ? {} : { avatarAttachmentId: profile.avatarAttachmentId }),
  };
}

function toAlbum(album: ServerAlbum): AlbumView {
  return {
    id: album.id,
    ownerId: album.ownerId,
    title: album.title,
    photoCount: album.photoCount,
    ...(album.coverAttachmentId === undefined ? {} : { coverAttachmentId: album.coverAttachmentId }),
    ...(album.visibleTo === undefined ? {} : { visibleTo: album.visibleTo }),
    createdAt: album.createdAt,
  };
}

function toPhoto(photo: ServerPhoto): AlbumPhotoView {
  return { id: photo.id, attachmentId: photo.attachmentId, caption: photo.caption ?? '' };
}

/** Posts per page: a screenful and a half on a phone, two on a desktop. */
const pageSize = 20;

export interface PostsPageView {
  posts: PostView[];
  next: string | undefined;
}

/** The profile, posts and albums calls of the one typed client, in the screens' shapes. */
export const postsApi = {
  async feed(before: string | undefined): Promise<PostsPageView> {
    const page = await api().feed(before, pageSize);
    return { posts: page.posts.map(toPost), next: page.next };
  },
  async unseen(): Promise<number> {
    return (await api().feedUnseen()).count;
  },
  async markSeen(upTo: number): Promise<void> {
    await api().markFeedSeen(upTo);
  },
  async userPosts(userId: string, before: string | undefined): Promise<PostsPageView> {
    const page = await api().userPosts(userId, before, pageSize);
    return { posts: page.posts.map(toPost), next: page.next };
  },
  async publish(draft: PostDraft): Promise<PostView> {
    const body = { kind: draft.kind, text: draft.text, visibleTo: draft.visibleTo, ...(draft.attachments.length > 0 ? { attachments: draft.attachments } : {}) };
    return toPost(await api().createPost(body));
  },
  async remove(postId: string): Promise<void> {
    await api().deletePost(postId);
  },
  async comments(postId: string): Promise<CommentView[]> {
    return (await api().postComments(postId)).comments.map(toComment);
  },
  async comment(postId: string, text: string): Promise<CommentView> {
    return toComment(await api().createComment(postId, text));
  },
  async removeComment(postId: string, commentId: string): Promise<void> {
    await api().deleteComment(postId, commentId);
  },
  async like(postId: string, like: boolean): Promise<PostCounts> {
    const state = like ? await api().likePost(postId) : await api().unlikePost(postId);
    return { likeCount: state.likes, likedByMe: state.likedByMe, countsVersion: state.countsVersion };
  },
  async myProfile(): Promise<ProfileView> {
    return toProfile(await api().myProfile());
  },
  async profile(userId: string): Promise<ProfileView> {
    return toProfile(await api().userProfile(userId));
  },
  async saveMyProfile(change: { displayName?: string; signature?: string; avatarAttachmentId?: string | null }): Promise<ProfileView> {
    return toProfile(await api().updateMyProfile(change));
  },
  async albums(userId: string): Promise<AlbumView[]> {
    return (await api().userAlbums(userId)).albums.map(toAlbum);
  },
  async createAlbum(title: string): Promise<AlbumView> {
    return toAlbum(await api().createAlbum(title));
  },
  async albumPhotos(albumId: string): Promise<AlbumPhotoView[]> {
    return (await api().albumPhotos(albumId)).photos.map(toPhoto);
  },
  async addPhoto(albumId: string, attachmentId: string, caption: string): Promise<AlbumPhotoView> {
    return toPhoto(await api().addAlbumPhoto(albumId, attachmentId, caption === '' ? undefined : caption));
  },
};
