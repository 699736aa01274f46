import { describe, expect, it } from 'vitest';
import { afterLoad, emptyThread, knows, withComment, withoutComment, withSavedCopy, type CommentThread } from '#renderer/features/feed/comment-thread.js';
import type { CommentView } from '#renderer/features/feed/post-types.js';

const comment = (id: string, minute: number): CommentView => ({ id, postId: 'post', authorId: 'someone', text: id, createdAt: `2026-05-01T10:${String(minute).padStart(2, '0')}:00.000Z` });
const ids = (thread: CommentThread | CommentView[]) => ('items' in thread ? thread.items : thread).map((item) => item.id);

/** How a thread takes pushes, my own answers and a fresh read, in whatever order they come. */
describe('a comment thread kept live', () => {
  it('takes a comment once, whether the push or my own answer comes first, in the server\'s order', () => {
    const read = { ...emptyThread(), items: [comment('a', 1), comment('c', 3)], phase: 'ready' as const };
    const pushed = withComment(read, comment('b', 2), true);
    expect(ids(pushed)).toEqual(['a', 'b', 'c']);
    expect(pushed.arrived).toBe(1);
    // The same comment again (my answer after the push of my own comment) changes nothing.
    expect(withComment(pushed, comment('b', 2), false)).toBe(pushed);
    expect(knows(pushed, 'b')).toBe(true);
  });

  it('never brings back a deleted comment: not by a late push, not by a list read before the deletion', () => {
    const thread = withoutComment({ ...emptyThread(), items: [comment('a', 1), comment('b', 2)] }, 'b');
    expect(ids(thread)).toEqual(['a']);
    expect(withComment(thread, comment('b', 2), true)).toBe(thread);
    expect(ids(afterLoad(thread, new Set(['a', 'b']), [comment('a', 1), comment('b', 2)]))).toEqual(['a']);
  });

  it('after a read keeps what arrived meanwhile and drops what was deleted while nobody listened', () => {
    // Before the read: a and gone. While it ran: late arrived by push. The server no longer has gone.
    const before = new Set(['a', 'gone']);
    const thread = withComment({ ...emptyThread(), items: [comment('a', 1), comment('gone', 2)], phase: 'loading' }, comment('late', 9), true);
    expect(ids(afterLoad(thread, before, [comment('a', 1), comment('new', 5)]))).toEqual(['a', 'new', 'late']);
  });

  it('shows the saved copy only while nothing else is, and a read drops what the copy held that the server no longer has', () => {
    const opening = { ...emptyThread(), phase: 'loading' as const };
    const fromCopy = withSavedCopy(opening, [comment('b', 2), comment('a', 1)]);
    expect(ids(fromCopy)).toEqual(['a', 'b']);
    // Never over what the server answered or what is shown already.
    const answered = { ...emptyThread(), phase: 'ready' as const };
    expect(withSavedCopy(answered, [comment('a', 1)])).toBe(answered);
    expect(withSavedCopy(fromCopy, [comment('c', 3)])).toBe(fromCopy);
    // The copy arrived after the read began (so it is not among what was known): b, deleted meanwhile, goes.
    expect(ids(afterLoad(fromCopy, new Set(), [comment('a', 1)]))).toEqual(['a']);
  });
});
