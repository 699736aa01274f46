import { describe, expect, it } from 'vitest';
import { readKeepingNewerCounts, withNewerCounts } from '#renderer/features/feed/post-counts.js';
import type { PostView } from '#renderer/features/feed/post-types.js';

const post = (counts: Partial<PostView>): PostView => ({
  id: 'post-1',
  seq: 1,
  authorId: 'author',
  kind: 'mood',
  text: 'hello',
  pictures: [],
  createdAt: '2026-11-29T10:00:00.000Z',
  commentCount: 0,
  likeCount: 0,
  likedByMe: false,
  countsVersion: 0,
  ...counts,
});
const countsOf = ({ likeCount, commentCount, likedByMe, countsVersion }: PostView) => ({ likeCount, commentCount, likedByMe, countsVersion });

/** Counts pushed from two requests or two nodes may arrive in any order; the device keeps the newest. */
describe('the counts of a post kept live', () => {
  it('keeps the newer likes when an older push arrives after them', () => {
    const newer = withNewerCounts(post({}), { likeCount: 2, likedByMe: true, countsVersion: 3 });
    expect(withNewerCounts(newer, { likeCount: 1, countsVersion: 2 })).toBe(newer);
    // A push of the same version (two pushes read after the same change) carries the same counts; others'
    // pushes leave my own like as it is.
    expect(countsOf(withNewerCounts(newer, { likeCount: 2, countsVersion: 3 }))).toEqual({ likeCount: 2, commentCount: 0, likedByMe: true, countsVersion: 3 });
  });

  it('keeps the newer comment count when the push of a comment comes after the push of its deletion', () => {
    const afterDeletion = withNewerCounts(post({ commentCount: 1, countsVersion: 4 }), { commentCount: 0, countsVersion: 5 });
    expect(countsOf(withNewerCounts(afterDeletion, { commentCount: 1, countsVersion: 4 }))).toEqual({ likeCount: 0, commentCount: 0, likedByMe: false, countsVersion: 5 });
  });

  it('keeps counts pushed after a read began over the older counts that read brings, and takes a newer read whole', () => {
    const pushed = post({ likeCount: 4, likedByMe: true, countsVersion: 7 });
    const staleRead = post({ likeCount: 3, likedByMe: false, countsVersion: 6, text: 'edited' });
    expect(readKeepingNewerCounts(staleRead, pushed)).toEqual({ ...staleRead, likeCount: 4, likedByMe: true, countsVersion: 7 });
    // A read of the same version wins, even for counts no push told of (likes gone with a deleted account).
    const freshRead = post({ likeCount: 2, countsVersion: 7 });
    expect(readKeepingNewerCounts(freshRead, pushed)).toBe(freshRead);
    expect(readKeepingNewerCounts(freshRead, undefined)).toBe(freshRead);
  });

  it('takes any counts over a copy saved before versions existed', () => {
    const { countsVersion: _none, ...saved } = post({ likeCount: 9 });
    expect(countsOf(withNewerCounts(saved, { likeCount: 10, countsVersion: 1 }))).toMatchObject({ likeCount: 10, countsVersion: 1 });
    expect(readKeepingNewerCounts(post({ likeCount: 8, countsVersion: 0 }), saved).likeCount).toBe(8);
  });
});
