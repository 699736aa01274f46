import type { CommentView, PostCommentEvent, PostCommentRemovedEvent, PostLikesEvent, PostRemovedEvent, PostView } from '#common/contract/posts.js';
import type { Logger } from '../../platform/logger.js';
import type { VisibilityService } from '../profile/visibility.service.js';
import type { PostCounts, PostsRepository, StoredPost } from './posts.repository.js';

/** Where live posts go: the online devices of the given users (on any node). */
export type PostsOutlet = {
  post(userIds: string[], view: PostView): void;
  removed(userIds: string[], event: PostRemovedEvent): void;
  comment(userIds: string[], event: PostCommentEvent): void;
  commentRemoved(userIds: string[], event: PostCommentRemovedEvent): void;
  likes(userIds: string[], event: PostLikesEvent): void;
};

/**
 * Who hears what of a post live, and as what. A post goes to its author's devices and to everyone its
 * audience admits now (VisibilityService.audienceOf: blocks both ways, discoverability, an invisible author
 * reaches no one); what happens under it (a comment, a deletion of one, a like) goes to the same people,
 * less those a block keeps apart from the person whose comment or like it is: they do not see that
 * person's comments when they read them, so they are not told of them either. The post's author hears of
 * everything on their post, as they read every comment of it. Pushes are sent after the answer's work is
 * done and never fail a request: a lost one is mended by the next read.
 */
export class PostsLive {
  constructor(
    private readonly deps: {
      visibility: Pick<VisibilityService, 'audienceOf' | 'profileAudiences' | 'blockedEitherWay'>;
      repo: Pick<PostsRepository, 'countsFor'>;
      outlet: PostsOutlet;
      log: Logger;
    },
  ) {}

  /** To the author's devices their own view; to each allowed viewer online, the post as they see it. */
  post(post: StoredPost, own: PostView): void {
    this.logged(post.id, 'post', async () => {
      this.deps.outlet.post([post.authorId], own);
      const viewers = await this.deps.visibility.audienceOf(post.authorId, post.visibleTo);
      if (viewers.length === 0) return;
      const { withProfile, withoutProfile } = await this.byProfileSight(post.authorId, viewers);
      const { visibleTo: _ownOnly, ...shared } = own;
      // Someone else's view never says whether the author likes their own post.
      if (withProfile.length > 0) this.deps.outlet.post(withProfile, { ...shared, likedByMe: false });
      if (withoutProfile.length > 0) this.deps.outlet.post(withoutProfile, { ...shared, author: { userId: post.authorId }, likedByMe: false });
    });
  }

  /** `audience` was read before the post was deleted (the same people who were told of it). */
  removed(post: StoredPost, audience: string[]): void {
    this.deps.outlet.removed([post.authorId, ...audience], { id: post.id, authorId: post.authorId });
  }

  /** `own` is the comment as its writer sees it (the request's answer). */
  comment(post: StoredPost, own: CommentView): void {
    this.logged(post.id, 'comment', async () => {
      const writerId = own.author.userId;
      const hearers = await this.hearersOf(post, writerId);
      // The writer is among those who see their own profile: their devices get the line of the answer.
      const { withProfile, withoutProfile } = await this.byProfileSight(writerId, hearers);
      const { comments, countsVersion } = await this.countsNow(post.id, writerId);
      if (withProfile.length > 0) this.deps.outlet.comment(withProfile, { comment: own, comments, countsVersion });
      if (withoutProfile.length > 0) this.deps.outlet.comment(withoutProfile, { comment: { ...own, author: { userId: writerId } }, comments, countsVersion });
    });
  }

  /** A comment of `writerId` is gone (deleted by them or by the post's author). */
  commentRemoved(post: StoredPost, commentId: string, writerId: string): void {
    this.logged(post.id, 'comment removal', async () => {
      const hearers = await this.hearersOf(post, writerId);
      const { comments, countsVersion } = await this.countsNow(post.id, writerId);
      this.deps.outlet.commentRemoved(hearers, { postId: post.id, commentId, comments, countsVersion });
    });
  }

  /** The count to everyone who hears of the liker; the liker's own devices also get their own state. */
  likes(post: StoredPost, likerId: string): void {
    this.logged(post.id, 'likes', async () => {
      const hearers = await this.hearersOf(post, likerId);
      const { likes, likedByMe, countsVersion } = await this.countsNow(post.id, likerId);
      const others = hearers.filter((id) => id !== likerId);
      if (hearers.includes(likerId)) this.deps.outlet.likes([likerId], { postId: post.id, likes, likedByMe, countsVersion });
      if (others.length > 0) this.deps.outlet.likes(others, { postId: post.id, likes, countsVersion });
    });
  }

  /**
   * The post's author and everyone the post's audience admits now, less those blocked by or blocking
   * `actorId` (the person whose comment or like it is); the author stays, as they see every comment.
   */
  private async hearersOf(post: StoredPost, actorId: string): Promise<string[]> {
    const viewers = await this.deps.visibility.audienceOf(post.authorId, post.visibleTo);
    const apart = actorId === post.authorId ? new Set<string>() : await this.deps.visibility.blockedEitherWay(actorId, viewers.filter((id) => id !== actorId));
    return [...new Set([post.authorId, ...viewers.filter((id) => !apart.has(id))])];
  }

  /** Splits `userIds` by whether they may see `ownerId`'s profile (name and avatar in an author line). */
  private async byProfileSight(ownerId: string, userIds: string[]): Promise<{ withProfile: string[]; withoutProfile: string[] }> {
    const profileAudience = (await this.deps.visibility.profileAudiences([ownerId])).get(ownerId) ?? 'private';
    const seeProfile = new Set(await this.deps.visibility.audienceOf(ownerId, profileAudience));
    seeProfile.add(ownerId);
    return { withProfile: userIds.filter((id) => seeProfile.has(id)), withoutProfile: userIds.filter((id) => !seeProfile.has(id)) };
  }

  /**
   * The counts as they are now, read just before the push, with their version: of two pushes racing to a
   * device (from two requests, or two nodes), the device keeps the one with the larger version. Counts are
   * the same for every viewer; `likedByMe` is the asker's.
   */
  private async countsNow(postId: string, askerId: string): Promise<PostCounts> {
    return (await this.deps.repo.countsFor([postId], askerId)).get(postId) ?? { likes: 0, comments: 0, likedByMe: false, countsVersion: 0 };
  }

  private logged(postId: string, what: string, push: () => Promise<void>): void {
    push().catch((error: unknown) => this.deps.log.error({ postId, reason: (error as Error).message }, `${what} push failed`));
  }
}
