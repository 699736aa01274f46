import { randomUUID } from 'node:crypto';
import {
  maxCommentsPerPost,
  maxUnseenCount,
  type CommentView,
  type CreatePostRequest,
  type FeedUnseen,
  type LikeState,
  type PostView,
  type PostsPage,
} from '#common/contract/posts.js';
import { ApiError } from '../../http/api-error.js';
import { toIso, type Clock } from '../../platform/clock.js';
import type { PostLimits } from '../../config.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter } from '../../platform/rate-limiter.js';
import type { AttachmentsService } from '../messages/attachments.service.js';
import type { ProfileService } from '../profile/profile.service.js';
import { requireOwnPicture } from '../profile/profile.service.js';
import type { Standing, VisibilityService } from '../profile/visibility.service.js';
import { PostsLive, type PostsOutlet } from './posts.live.js';
import type { FeedScope, PostsRepository, StoredComment, StoredPost } from './posts.repository.js';

const hour = 3_600_000;

/**
 * Mood and diary posts with pictures, comments, likes and the feed (issue 16, M27). Each post has its own
 * audience (contacts, allowlist, private) decided with the activity rules by VisibilityService; whatever a
 * viewer may not see answers 404. The feed is read from the (author, seq) index over the people who admit
 * the viewer; docs/posts.md has the plan for a fan-out table when graphs grow large.
 */
export class PostsService {
  private readonly live: PostsLive;

  constructor(
    private readonly deps: {
      repo: PostsRepository;
      visibility: VisibilityService;
      profiles: Pick<ProfileService, 'authorsFor'>;
      attachments: Pick<AttachmentsService, 'ownPicture' | 'discardUnlessHeld'>;
      outlet: PostsOutlet;
      limiter: RateLimiter;
      limits: PostLimits;
      clock: Clock;
      log: Logger;
    },
  ) {
    this.live = new PostsLive({ visibility: deps.visibility, repo: deps.repo, outlet: deps.outlet, log: deps.log });
  }

  async create(authorId: string, request: CreatePostRequest): Promise<PostView> {
    const pictures = [...new Set(request.attachments ?? [])];
    for (const id of pictures) await requireOwnPicture(this.deps.attachments, authorId, id);
    await this.pace(`posts:${authorId}`, this.deps.limits.postsPerHour, 'too many posts; try again later');
    const visibleTo = request.visibleTo ?? (await this.deps.visibility.profileAudiences([authorId])).get(authorId) ?? 'private';
    const post = await this.deps.repo.createPost({
      id: randomUUID(),
      authorId,
      kind: request.kind,
      text: request.text.trim(),
      visibleTo,
      attachments: pictures,
      createdAt: this.deps.clock.now(),
    });
    const own = (await this.views(authorId, [post], new Map()))[0] as PostView;
    this.live.post(post, own);
    return own;
  }

  async get(viewerId: string, postId: string): Promise<PostView> {
    const { post, standing } = await this.visiblePost(viewerId, postId);
    return (await this.views(viewerId, [post], standing))[0] as PostView;
  }

  async remove(authorId: string, postId: string): Promise<void> {
    const post = await this.deps.repo.findPost(postId);
    if (!post || post.authorId !== authorId) throw notFound();
    const audience = await this.deps.visibility.audienceOf(authorId, post.visibleTo);
    const pictures = await this.deps.repo.deletePost(postId, authorId);
    if (pictures === undefined) throw notFound();
    await this.deps.attachments.discardUnlessHeld(authorId, pictures);
    this.live.removed(post, audience);
  }

  async feed(viewerId: string, before: number | undefined, limit: number): Promise<PostsPage> {
    const standing = await this.deps.visibility.standingOf(viewerId);
    return this.pageOf(viewerId, { self: viewerId, ...scopeOf(standing) }, standing, before, limit);
  }

  async userPosts(viewerId: string, userId: string, before: number | undefined, limit: number): Promise<PostsPage> {
    if (viewerId === userId) return this.pageOf(viewerId, { self: viewerId, contacts: [], allowlist: [] }, new Map(), before, limit);
    const standing = await this.deps.visibility.standingOf(viewerId);
    const toward = standing.get(userId);
    if (toward === undefined) throw new ApiError(404, 'not_found', 'no such user');
    return this.pageOf(viewerId, { self: undefined, ...scopeOf(new Map([[userId, toward]])) }, standing, before, limit);
  }

  /** The badge: others' posts in my feed above my seen mark. */
  async unseen(viewerId: string): Promise<FeedUnseen> {
    const [standing, mark] = await Promise.all([this.deps.visibility.standingOf(viewerId), this.deps.repo.seenMark(viewerId)]);
    const count = await this.deps.repo.countAfter({ self: undefined, ...scopeOf(standing) }, mark, maxUnseenCount + 1);
    return { count: Math.min(count, maxUnseenCount), capped: count > maxUnseenCount };
  }

  async markSeen(viewerId: string, upTo: number): Promise<void> {
    // A mark beyond the last post would hide posts not yet written.
    await this.deps.repo.markSeen(viewerId, Math.min(upTo, await this.deps.repo.lastSeq()));
  }

  async comment(viewerId: string, postId: string, text: string): Promise<CommentView> {
    const { post, standing } = await this.visiblePost(viewerId, postId);
    await this.pace(`comments:${viewerId}`, this.deps.limits.commentsPerHour, 'too many comments; try again later');
    const comment: StoredComment = { id: randomUUID(), postId: post.id, authorId: viewerId, text, createdAt: this.deps.clock.now() };
    if (!(await this.deps.repo.addComment(comment, maxCommentsPerPost))) {
      if (!(await this.deps.repo.findPost(postId))) throw notFound();
      throw new ApiError(409, 'limit_reached', `a post takes at most ${maxCommentsPerPost} comments`, { limit: maxCommentsPerPost });
    }
    const own = (await this.commentViews(viewerId, [comment], standing))[0] as CommentView;
    this.live.comment(post, own);
    return own;
  }

  /** Oldest first; the post's author sees every comment, others not those of people a block hides from them. */
  async comments(viewerId: string, postId: string): Promise<CommentView[]> {
    const { post, standing } = await this.visiblePost(viewerId, postId);
    let comments = await this.deps.repo.comments(post.id);
    if (viewerId !== post.authorId) {
      const hidden = await this.deps.visibility.blockedEitherWay(viewerId, [...new Set(comments.map((comment) => comment.authorId))].filter((id) => id !== viewerId));
      comments = comments.filter((comment) => !hidden.has(comment.authorId));
    }
    return this.commentViews(viewerId, comments, standing);
  }

  /** My own comment, or any comment on my post. */
  async removeComment(viewerId: string, postId: string, commentId: string): Promise<void> {
    const [comment, post] = await Promise.all([this.deps.repo.findComment(commentId), this.deps.repo.findPost(postId)]);
    if (!comment || !post || comment.postId !== post.id || (comment.authorId !== viewerId && post.authorId !== viewerId)) throw notFound();
    // Of two deletions at once, the one that deleted it tells the others.
    if (await this.deps.repo.deleteComment(commentId)) this.live.commentRemoved(post, commentId, comment.authorId);
  }

  async setLike(viewerId: string, postId: string, liked: boolean): Promise<LikeState> {
    const { post } = await this.visiblePost(viewerId, postId);
    // Every like that changes something reaches the whole audience live: a toggling loop may not flood it.
    await this.pace(`likes:${viewerId}`, this.deps.limits.likesPerHour, 'too many likes; try again later');
    const changed = await this.deps.repo.setLike(post.id, viewerId, liked, this.deps.clock.now());
    // Nothing changed: perhaps because the post was deleted since it was read.
    if (!changed && !(await this.deps.repo.findPost(post.id))) throw notFound();
    const counts = (await this.deps.repo.countsFor([post.id], viewerId)).get(post.id);
    const state = { likes: counts?.likes ?? 0, likedByMe: counts?.likedByMe ?? false, countsVersion: counts?.countsVersion ?? 0 };
    // Liking again changes nothing, and tells no one: a repeated request is not a way to flood the audience.
    if (changed) this.live.likes(post, viewerId);
    return state;
  }

  /** For the attachments service: a picture may be fetched by whoever may see a post or album showing it. */
  async mayFetch(viewerId: string, attachmentId: string): Promise<boolean> {
    const showings = await this.deps.repo.showingsOf(attachmentId);
    if (showings.length === 0) return false;
    if (showings.some((showing) => showing.ownerId === viewerId)) return true;
    const standing = await this.deps.visibility.standingOf(viewerId);
    return showings.some((showing) => showing.visibleTo !== 'private' && (standing.get(showing.ownerId)?.has(showing.visibleTo) ?? false));
  }

  /** For the attachments service: a picture a post or an album still shows is kept. */
  async holds(attachmentId: string): Promise<boolean> {
    return (await this.deps.repo.showingsOf(attachmentId)).length > 0;
  }

  deleteUser(userId: string): Promise<void> {
    return this.deps.repo.deleteUser(userId);
  }

  private async pageOf(viewerId: string, scope: FeedScope, standing: ReadonlyMap<string, Standing>, before: number | undefined, limit: number): Promise<PostsPage> {
    const rows = await this.deps.repo.page(scope, before, limit + 1);
    const posts = rows.slice(0, limit);
    const last = posts.at(-1);
    const views = await this.views(viewerId, posts, standing);
    return rows.length > limit && last ? { posts: views, next: String(last.seq) } : { posts: views };
  }

  private async visiblePost(viewerId: string, postId: string): Promise<{ post: StoredPost; standing: ReadonlyMap<string, Standing> }> {
    const post = await this.deps.repo.findPost(postId);
    if (!post) throw notFound();
    if (post.authorId === viewerId) return { post, standing: new Map() };
    const standing = await this.deps.visibility.standingOf(viewerId);
    if (post.visibleTo === 'private' || !(standing.get(post.authorId)?.has(post.visibleTo) ?? false)) throw notFound();
    return { post, standing };
  }

  private async views(viewerId: string, posts: StoredPost[], standing: ReadonlyMap<string, Standing>): Promise<PostView[]> {
    if (posts.length === 0) return [];
    const [counts, authors] = await Promise.all([
      this.deps.repo.countsFor(posts.map((post) => post.id), viewerId),
      this.deps.profiles.authorsFor(viewerId, posts.map((post) => post.authorId), standing),
    ]);
    return posts.map((post) => {
      const count = counts.get(post.id);
      return {
        id: post.id,
        seq: post.seq,
        kind: post.kind,
        text: post.text,
        attachments: post.attachments,
        author: authors.get(post.authorId) ?? { userId: post.authorId },
        ...(post.authorId === viewerId ? { visibleTo: post.visibleTo } : {}),
        createdAt: toIso(post.createdAt),
        likes: count?.likes ?? 0,
        likedByMe: count?.likedByMe ?? false,
        comments: count?.comments ?? 0,
        countsVersion: count?.countsVersion ?? 0,
      };
    });
  }

  private async commentViews(viewerId: string, comments: StoredComment[], standing: ReadonlyMap<string, Standing>): Promise<CommentView[]> {
    const authors = await this.deps.profiles.authorsFor(viewerId, comments.map((comment) => comment.authorId), standing);
    return comments.map((comment) => ({
      id: comment.id,
      postId: comment.postId,
      author: authors.get(comment.authorId) ?? { userId: comment.authorId },
      text: comment.text,
      createdAt: toIso(comment.createdAt),
    }));
  }

  private async pace(key: string, limit: number, message: string): Promise<void> {
    const decision = await this.deps.limiter.hit(key, limit, hour);
    if (!decision.allowed) throw new ApiError(429, 'rate_limited', message, { retryAfter: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) });
  }
}

function scopeOf(standing: ReadonlyMap<string, Standing>): { contacts: string[]; allowlist: string[] } {
  const contacts: string[] = [];
  const allowlist: string[] = [];
  for (const [id, modes] of standing) {
    if (modes.has('contacts')) contacts.push(id);
    if (modes.has('allowlist')) allowlist.push(id);
  }
  return { contacts, allowlist };
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'no such post');
}
