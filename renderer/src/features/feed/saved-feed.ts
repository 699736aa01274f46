import { localDb } from '../../db/local-db.js';
import { useFeed, type CommentThread } from './feed-store.js';
import { newestFirst, type CommentView, type PostView } from './post-types.js';

/**
 * The feed kept on this device: the newest posts as the Feed last showed them, with their counts, my
 * likes and author lines, and the comments of those whose thread was read here, so it opens at once on
 * start and reads without a connection. The store stays the one place posts change; this module only
 * mirrors its feed into IndexedDB and reads it back.
 */

/** Five of the server's pages: enough to read on a train, small enough to rewrite on every change. */
export const savedFeedLimit = 100;

/** Only while a session runs: cleared state at sign-out must not overwrite the copy with nothing. */
let saving = false;
let unsubscribe: (() => void) | undefined;
/** Writes in the order the changes came, so an older snapshot never lands after a newer one. */
let lastWrite: Promise<void> = Promise.resolve();
let writeQueued = false;

/** The saved copy, newest first. */
export async function readSavedFeed(): Promise<PostView[]> {
  const saved = await localDb.feedPosts.orderBy('seq').reverse().limit(savedFeedLimit).toArray();
  return saved.sort(newestFirst);
}

/** Puts the saved copy on screen (before the network answers), then keeps it in step with the feed. */
export async function startSavedFeed(): Promise<void> {
  stopSavedFeed();
  useFeed.getState().showSaved(await readSavedFeed());
  saving = true;
  unsubscribe = useFeed.subscribe((state, previous) => {
    // The server's first page, a live post, a deletion, a count, a like or a comment: each changes one of these.
    if (state.feed.ids !== previous.feed.ids || state.posts !== previous.posts || state.comments !== previous.comments) queueWrite();
    if (state.comments !== previous.comments) showSavedThreads(state.comments, previous.comments);
  });
}

/** The session ends: what is in IndexedDB stays as it was (sign-out clears it with the other tables). */
export function stopSavedFeed(): void {
  saving = false;
  unsubscribe?.();
  unsubscribe = undefined;
}

/** Waits for the writes already queued, so that a clear that follows is the last word. */
export function savedFeedSettled(): Promise<void> {
  return lastWrite;
}

function queueWrite(): void {
  // A burst of changes in one task (a page of posts, several pushes) is one write of the state after it.
  if (writeQueued) return;
  writeQueued = true;
  lastWrite = lastWrite
    .then(async () => {
      writeQueued = false;
      if (!saving) return;
      const posts = await withOlderSaved(feedToSave());
      await replaceSavedFeed(posts, threadsToSave(posts));
    })
    .catch((error: unknown) => console.warn('the feed could not be saved on this device', error));
}

/** What the feed shows, from the top. Profiles' lists are not kept: they are read when opened. */
function feedToSave(): PostView[] {
  const { feed, posts } = useFeed.getState();
  return feed.ids
    .slice(0, savedFeedLimit)
    .map((id) => posts[id])
    .filter((post): post is PostView => post !== undefined);
}

/**
 * After a reconnect the Feed shows the server's first page only: the saved posts older than it stay, up to
 * the limit, so the next start without a connection still has the posts this device had read. Among the
 * posts shown, one gone from the server goes from the copy too; an older one that went stays until the
 * Feed shows that part again (offline, the Feed says its posts may be out of date).
 */
async function withOlderSaved(shown: PostView[]): Promise<PostView[]> {
  const { feed } = useFeed.getState();
  const oldest = shown.at(-1)?.seq;
  if (feed.next === undefined || oldest === undefined || shown.length >= savedFeedLimit) return shown;
  const older = await localDb.feedPosts.where('seq').below(oldest).reverse().limit(savedFeedLimit - shown.length).toArray();
  return [...shown, ...older];
}

/** The threads read from the server of the posts saved: each replaces what was saved of it. */
function threadsToSave(posts: PostView[]): Map<string, CommentView[]> {
  const { comments } = useFeed.getState();
  const threads = new Map<string, CommentView[]>();
  for (const post of posts) {
    const thread = comments[post.id];
    if (thread?.phase === 'ready') threads.set(post.id, thread.items);
  }
  return threads;
}

/** Threads just opened: what this device saved of them shows until the server answers, or while offline. */
function showSavedThreads(now: Record<string, CommentThread>, before: Record<string, CommentThread>): void {
  for (const [postId, thread] of Object.entries(now)) {
    if (thread.phase !== 'loading' || before[postId]?.phase === 'loading' || thread.items.length > 0) continue;
    void localDb.feedComments
      .where('postId')
      .equals(postId)
      .toArray()
      .then((saved) => {
        if (saving) useFeed.getState().showSavedComments(postId, saved);
      })
      .catch((error: unknown) => console.warn('the saved comments could not be read', error));
  }
}

/**
 * The copy is replaced whole: a post not in the feed any more (deleted, no longer shown to me) goes, with
 * its comments; a thread read again replaces its saved comments; the others stay as they were saved.
 */
async function replaceSavedFeed(posts: PostView[], threads: Map<string, CommentView[]>): Promise<void> {
  const kept = new Set(posts.map((post) => post.id));
  await localDb.transaction('rw', localDb.feedPosts, localDb.feedComments, async () => {
    await localDb.feedPosts.clear();
    await localDb.feedPosts.bulkPut(posts);
    await localDb.feedComments.filter((comment) => !kept.has(comment.postId) || threads.has(comment.postId)).delete();
    await localDb.feedComments.bulkPut([...threads.values()].flat());
  });
}
