import type { CommentView } from './post-types.js';

export type LoadPhase = 'idle' | 'loading' | 'ready' | 'failed';

/** One post's comments as this device knows them: read from the server, then kept up to date live. */
export interface CommentThread {
  items: CommentView[];
  phase: LoadPhase;
  error: unknown;
  /**
   * Comments deleted while this thread was kept (live, or by me). A list the server read before the
   * deletion, or a push of the comment overtaken by the push of its deletion, must not bring one back.
   */
  removed: string[];
  /** Comments of others that arrived live since the thread was opened: announced to screen readers. */
  arrived: number;
  /**
   * Comments shown from this device's saved copy (saved-feed.ts) that the server has not confirmed since:
   * one the next read does not bring was deleted meanwhile, so it is never taken for a newer live one.
   */
  fromSavedCopy: string[];
}

export const emptyThread = (): CommentThread => ({ items: [], phase: 'idle', error: undefined, removed: [], arrived: 0, fromSavedCopy: [] });

/** The saved copy of a thread, shown while nothing else is: before the server answers, or offline. */
export function withSavedCopy(thread: CommentThread, saved: CommentView[]): CommentThread {
  if (thread.items.length > 0 || thread.phase === 'ready' || saved.length === 0) return thread;
  return { ...thread, items: inThreadOrder([...saved]), fromSavedCopy: saved.map((item) => item.id) };
}

/** The server's order: oldest first, ties by id. */
function inThreadOrder(items: CommentView[]): CommentView[] {
  return items.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
}

/** Whether the thread already holds the comment, or had it deleted. */
export function knows(thread: CommentThread, commentId: string): boolean {
  return thread.removed.includes(commentId) || thread.items.some((item) => item.id === commentId);
}

/** The thread with one more comment (my answer or a push); the same thread when it is known already. */
export function withComment(thread: CommentThread, comment: CommentView, announce: boolean): CommentThread {
  if (knows(thread, comment.id)) return thread;
  return { ...thread, items: inThreadOrder([...thread.items, comment]), arrived: announce ? thread.arrived + 1 : thread.arrived };
}

export function withoutComment(thread: CommentThread, commentId: string): CommentThread {
  return {
    ...thread,
    items: thread.items.filter((item) => item.id !== commentId),
    removed: thread.removed.includes(commentId) ? thread.removed : [...thread.removed, commentId],
  };
}

/**
 * The list the server answered, merged with what changed here while it was read: comments that were
 * not in the thread when the read began (pushed, or my own) stay, deleted ones stay gone. What was in the
 * thread before and is not in the answer was deleted while this device was not listening: it goes.
 */
export function afterLoad(thread: CommentThread, knownBefore: ReadonlySet<string>, read: CommentView[]): CommentView[] {
  const inRead = new Set(read.map((item) => item.id));
  const meanwhile = thread.items.filter((item) => !knownBefore.has(item.id) && !inRead.has(item.id) && !thread.fromSavedCopy.includes(item.id));
  return inThreadOrder([...read, ...meanwhile].filter((item) => !thread.removed.includes(item.id)));
}
