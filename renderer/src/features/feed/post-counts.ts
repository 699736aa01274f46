import type { PostView } from './post-types.js';

/**
 * Which counts of a post to show when reads and pushes arrive out of order (two requests, two nodes, a
 * push that overtakes a read): the server versions them, and the larger version is the newer.
 */

/** The counts of a post as one read, answer or push carries them. */
export interface PostCounts {
  likeCount?: number;
  commentCount?: number;
  likedByMe?: boolean;
  countsVersion: number;
}

const versionOf = (post: PostView): number => post.countsVersion ?? 0;

/**
 * `post` with `counts` taken, unless it shows newer ones already. Equal versions are taken: a read after a
 * change the server sent no push for (an account deleted with its likes) still corrects the count.
 */
export function withNewerCounts(post: PostView, counts: PostCounts): PostView {
  if (counts.countsVersion < versionOf(post)) return post;
  return {
    ...post,
    ...(counts.likeCount === undefined ? {} : { likeCount: counts.likeCount }),
    ...(counts.commentCount === undefined ? {} : { commentCount: counts.commentCount }),
    ...(counts.likedByMe === undefined ? {} : { likedByMe: counts.likedByMe }),
    countsVersion: counts.countsVersion,
  };
}

/** A post read from the server, keeping the counts already shown when they are newer than the read's. */
export function readKeepingNewerCounts(read: PostView, shown: PostView | undefined): PostView {
  if (shown === undefined || versionOf(shown) <= versionOf(read)) return read;
  return { ...read, likeCount: shown.likeCount, commentCount: shown.commentCount, likedByMe: shown.likedByMe, countsVersion: versionOf(shown) };
}
