import { create } from 'zustand';
import { ApiFailure } from '../../api/failure.js';
import { useApp } from '../../app/app-store.js';
import { afterLoad, emptyThread, knows, withComment, withoutComment, withSavedCopy, type CommentThread, type LoadPhase } from './comment-thread.js';
import { postsApi } from './posts-api.js';
import { readKeepingNewerCounts, withNewerCounts } from './post-counts.js';
import { newestFirst, type CommentView, type PostDraft, type PostView } from './post-types.js';

export type { CommentThread, LoadPhase };

/** One list of posts: the feed, or one person's posts on their profile. */
export interface PostList {
  ids: string[];
  next: string | undefined;
  phase: LoadPhase;
  loadingMore: boolean;
  error: unknown;
  /**
   * Posts shown from this device's saved copy (saved-feed.ts) that the server has not confirmed yet: until
   * its first page answers they may be deleted meanwhile, so they are never taken for newer live posts.
   */
  fromSavedCopy: string[];
}

interface FeedState {
  /** Every post known, by id: the feed and the profiles show the same post, changed in one place. */
  posts: Record<string, PostView>;
  feed: PostList;
  byUser: Record<string, PostList>;
  comments: Record<string, CommentThread>;
  /** Posts of others newer than what I last saw in the Feed (the server counts; live posts add): the badge. */
  unseen: number;
  /** The newest feed position marked seen on the server, so it is not sent twice. */
  seenUpTo: number;
  /** Live posts that arrived while the Feed was shown, announced once to screen readers. */
  arrived: number;
  /** The saved copy, shown at once on start before the server answers (nothing when something is shown already). */
  showSaved(saved: readonly PostView[]): void;
  /** The saved comments of a thread being opened, shown until the server answers (or while offline). */
  showSavedComments(postId: string, saved: CommentView[]): void;
  loadFeed(): Promise<void>;
  loadMoreFeed(): Promise<void>;
  loadUserPosts(userId: string, more?: boolean): Promise<void>;
  /** A `post` event: inserted at the top of the feed (or updated where it already is). */
  receive(post: PostView): void;
  /** A `post:removed` event: the post is gone for me (deleted, or its author no longer shows it to me). */
  drop(postId: string): void;
  /** A `post:comment` event: the post's count (unless newer is shown), and the comment in its thread if that is kept here. */
  receiveComment(comment: CommentView, count: number, countsVersion: number): void;
  /** A `post:comment:removed` event. */
  receiveCommentRemoved(postId: string, commentId: string, count: number, countsVersion: number): void;
  /** A `post:likes` event: the count, and my own state when the like was mine (from another device); unless newer is shown. */
  receiveLikes(postId: string, likes: number, likedByMe: boolean | undefined, countsVersion: number): void;
  /** The badge's count from the server (after sign-in and every reconnect). */
  loadUnseen(): Promise<void>;
  /** The Feed is shown: everything in it counts as seen, here and on my other devices. */
  markSeen(): void;
  publish(draft: PostDraft): Promise<PostView>;
  remove(postId: string): Promise<void>;
  loadComments(postId: string): Promise<void>;
  comment(postId: string, text: string): Promise<void>;
  removeComment(postId: string, commentId: string): Promise<void>;
  toggleLike(postId: string): Promise<void>;
  clear(): void;
}

const emptyList = (): PostList => ({ ids: [], next: undefined, phase: 'idle', loadingMore: false, error: undefined, fromSavedCopy: [] });

function myId(): string | undefined {
  return useApp.getState().session?.userId;
}

/**
 * Posting, commenting and liking go to the server at once; offline they are refused with words that say
 * so, rather than seeming to work (a like flipping and back) or waiting on a request that cannot go out.
 */
export function requireConnection(): void {
  if (useApp.getState().connection === 'offline') throw new ApiFailure(0, 'needs_connection', 'offline: this action needs the server');
}

function mergeIds(posts: Record<string, PostView>, ...lists: string[][]): string[] {
  const ids = [...new Set(lists.flat())].filter((id) => posts[id] !== undefined);
  return ids.sort((a, b) => newestFirst(posts[a] as PostView, posts[b] as PostView));
}

/** `added` replace what is known of them, but counts newer than theirs (a push that overtook the read) stay. */
function withPosts(posts: Record<string, PostView>, added: readonly PostView[]): Record<string, PostView> {
  const next = { ...posts };
  for (const post of added) next[post.id] = readKeepingNewerCounts(post, posts[post.id]);
  return next;
}

export const useFeed = create<FeedState>((set, get) => ({
  posts: {},
  feed: emptyList(),
  byUser: {},
  comments: {},
  unseen: 0,
  seenUpTo: 0,
  arrived: 0,

  showSaved(saved) {
    set((state) => {
      if (state.feed.ids.length > 0 || saved.length === 0) return {};
      const posts = withPosts(state.posts, saved);
      const ids = mergeIds(posts, saved.map((post) => post.id));
      return { posts, feed: { ...emptyList(), ids, fromSavedCopy: ids } };
    });
  },

  showSavedComments(postId, saved) {
    set((state) => {
      const thread = state.comments[postId];
      if (thread === undefined) return {};
      const shown = withSavedCopy(thread, saved);
      return shown === thread ? {} : { comments: { ...state.comments, [postId]: shown } };
    });
  },

  async loadFeed() {
    set((state) => ({ feed: { ...state.feed, phase: state.feed.phase === 'ready' ? 'ready' : 'loading', error: undefined } }));
    try {
      const page = await postsApi.feed(undefined);
      set((state) => {
        const posts = withPosts(state.posts, page.posts);
        // A post that arrived live after the server read this page stays on top; anything else not in the
        // page is gone (deleted, or no longer shown to me), and older pages are read again by cursor.
        const top = Math.max(0, ...page.posts.map((post) => post.seq));
        // Saved posts are not live ones: one the server no longer sends was deleted while this device was away.
        const newer = state.feed.ids.filter((id) => (posts[id]?.seq ?? 0) > top && page.posts.length > 0 && !state.feed.fromSavedCopy.includes(id));
        return {
          posts,
          feed: { ids: mergeIds(posts, page.posts.map((post) => post.id), newer), next: page.next, phase: 'ready', loadingMore: false, error: undefined, fromSavedCopy: [] },
        };
      });
    } catch (error) {
      set((state) => ({ feed: { ...state.feed, phase: state.feed.ids.length > 0 ? 'ready' : 'failed', error } }));
    }
  },

  async loadMoreFeed() {
    const { feed } = get();
    if (feed.next === undefined || feed.loadingMore) return;
    set({ feed: { ...feed, loadingMore: true, error: undefined } });
    try {
      const page = await postsApi.feed(feed.next);
      set((state) => {
        const posts = withPosts(state.posts, page.posts);
        // Appended in the server's order: a cursor page is already newest first and below what is shown.
        const ids = [...state.feed.ids, ...page.posts.map((post) => post.id).filter((id) => !state.feed.ids.includes(id))];
        return { posts, feed: { ...state.feed, ids, next: page.next, loadingMore: false } };
      });
    } catch (error) {
      set((state) => ({ feed: { ...state.feed, loadingMore: false, error } }));
    }
  },

  async loadUserPosts(userId, more = false) {
    const current = get().byUser[userId] ?? emptyList();
    if (more && (current.next === undefined || current.loadingMore)) return;
    set((state) => ({
      byUser: { ...state.byUser, [userId]: more ? { ...current, loadingMore: true } : { ...current, phase: current.phase === 'ready' ? 'ready' : 'loading', error: undefined } },
    }));
    try {
      const page = await postsApi.userPosts(userId, more ? current.next : undefined);
      set((state) => {
        const posts = withPosts(state.posts, page.posts);
        const before = state.byUser[userId] ?? emptyList();
        const ids = more ? [...before.ids, ...page.posts.map((post) => post.id).filter((id) => !before.ids.includes(id))] : page.posts.map((post) => post.id);
        return { posts, byUser: { ...state.byUser, [userId]: { ids, next: page.next, phase: 'ready', loadingMore: false, error: undefined, fromSavedCopy: [] } } };
      });
    } catch (error) {
      set((state) => ({ byUser: { ...state.byUser, [userId]: { ...(state.byUser[userId] ?? emptyList()), phase: 'failed', loadingMore: false, error } } }));
    }
  },

  receive(post) {
    const known = get().posts[post.id] !== undefined;
    const mine = post.authorId === myId();
    const onFeed = useApp.getState().screen === 'feed';
    set((state) => {
      const posts = withPosts(state.posts, [post]);
      const author = state.byUser[post.authorId];
      return {
        posts,
        // The server sends my own posts to my other devices too: they join the feed there, without a badge.
        feed: known ? state.feed : { ...state.feed, ids: mergeIds(posts, [post.id], state.feed.ids) },
        byUser: author === undefined || known ? state.byUser : { ...state.byUser, [post.authorId]: { ...author, ids: mergeIds(posts, [post.id], author.ids) } },
        unseen: known || mine || onFeed ? state.unseen : state.unseen + 1,
        arrived: !known && !mine && onFeed ? state.arrived + 1 : state.arrived,
      };
    });
    if (onFeed && !known) get().markSeen();
  },

  drop(postId) {
    set((state) => forget(state, postId));
  },

  async loadUnseen() {
    try {
      const count = await postsApi.unseen();
      // On the Feed the count is about to be marked seen; elsewhere it is the badge.
      if (useApp.getState().screen !== 'feed') set({ unseen: count });
    } catch {
      // The badge is a nicety: without the server's count it shows what arrives live.
    }
  },

  markSeen() {
    const { feed, posts, seenUpTo } = get();
    const newest = Math.max(0, ...feed.ids.map((id) => posts[id]?.seq ?? 0));
    if (get().unseen !== 0) set({ unseen: 0 });
    if (newest <= seenUpTo) return;
    set({ seenUpTo: newest });
    void postsApi.markSeen(newest).catch(() => set((state) => ({ seenUpTo: Math.min(state.seenUpTo, seenUpTo) })));
  },

  async publish(draft) {
    requireConnection();
    const post = await postsApi.publish(draft);
    set((state) => {
      const posts = withPosts(state.posts, [post]);
      const mine = state.byUser[post.authorId];
      return {
        posts,
        // My own post goes to the top of what I am looking at, so I see it went out.
        feed: { ...state.feed, ids: mergeIds(posts, [post.id], state.feed.ids) },
        byUser: mine === undefined ? state.byUser : { ...state.byUser, [post.authorId]: { ...mine, ids: mergeIds(posts, [post.id], mine.ids) } },
      };
    });
    return post;
  },

  async remove(postId) {
    requireConnection();
    await postsApi.remove(postId);
    set((state) => forget(state, postId));
  },

  async loadComments(postId) {
    const knownBefore = new Set(get().comments[postId]?.items.map((item) => item.id) ?? []);
    // Read again (opened, or back online): what arrives from now on is announced anew.
    set((state) => ({ comments: { ...state.comments, [postId]: { ...(state.comments[postId] ?? emptyThread()), phase: 'loading', error: undefined, arrived: 0 } } }));
    try {
      const read = await postsApi.comments(postId);
      set((state) => {
        const thread = state.comments[postId] ?? emptyThread();
        const items = afterLoad(thread, knownBefore, read);
        const post = state.posts[postId];
        return {
          comments: { ...state.comments, [postId]: { ...thread, items, phase: 'ready', error: undefined, fromSavedCopy: [] } },
          posts: post === undefined ? state.posts : { ...state.posts, [postId]: { ...post, commentCount: Math.max(post.commentCount, items.length) } },
        };
      });
    } catch (error) {
      set((state) => ({ comments: { ...state.comments, [postId]: { ...(state.comments[postId] ?? emptyThread()), phase: 'failed', error } } }));
    }
  },

  async comment(postId, text) {
    requireConnection();
    const added = await postsApi.comment(postId, text);
    set((state) => {
      const thread = state.comments[postId] ?? { ...emptyThread(), phase: 'ready' };
      // The push of my own comment may have come before this answer: it set the count already.
      const counted = knows(thread, added.id);
      const next = withComment(thread, added, false);
      const post = state.posts[postId];
      return {
        comments: { ...state.comments, [postId]: { ...next, error: undefined } },
        posts: post === undefined || counted ? state.posts : { ...state.posts, [postId]: { ...post, commentCount: Math.max(post.commentCount + 1, next.items.length) } },
      };
    });
  },

  async removeComment(postId, commentId) {
    requireConnection();
    await postsApi.removeComment(postId, commentId);
    set((state) => {
      const thread = state.comments[postId];
      // Unless the push of the deletion came first and set the count already.
      const counted = thread !== undefined && !thread.items.some((item) => item.id === commentId);
      const post = state.posts[postId];
      return {
        comments: thread === undefined ? state.comments : { ...state.comments, [postId]: withoutComment(thread, commentId) },
        posts: post === undefined || counted ? state.posts : { ...state.posts, [postId]: { ...post, commentCount: Math.max(0, post.commentCount - 1) } },
      };
    });
  },

  receiveComment(comment, count, countsVersion) {
    set((state) => {
      const thread = state.comments[comment.postId];
      const post = state.posts[comment.postId];
      return {
        // A thread never opened here is read when it is opened; only a kept one takes the comment.
        comments: thread === undefined ? state.comments : { ...state.comments, [comment.postId]: withComment(thread, comment, comment.authorId !== myId()) },
        posts: post === undefined ? state.posts : { ...state.posts, [comment.postId]: withNewerCounts(post, { commentCount: count, countsVersion }) },
      };
    });
  },

  receiveCommentRemoved(postId, commentId, count, countsVersion) {
    set((state) => {
      const thread = state.comments[postId];
      const post = state.posts[postId];
      return {
        comments: thread === undefined ? state.comments : { ...state.comments, [postId]: withoutComment(thread, commentId) },
        posts: post === undefined ? state.posts : { ...state.posts, [postId]: withNewerCounts(post, { commentCount: count, countsVersion }) },
      };
    });
  },

  receiveLikes(postId, likes, likedByMe, countsVersion) {
    set((state) => {
      const post = state.posts[postId];
      if (post === undefined) return {};
      // Others' pushes carry the count only: whether I like the post stays as I left it.
      return { posts: { ...state.posts, [postId]: withNewerCounts(post, { likeCount: likes, countsVersion, ...(likedByMe === undefined ? {} : { likedByMe }) }) } };
    });
  },

  async toggleLike(postId) {
    const post = get().posts[postId];
    if (post === undefined) return;
    requireConnection();
    const like = post.likedByMe !== true;
    // Shown at once; put back if the server refuses.
    const optimistic = { ...post, likedByMe: like, likeCount: Math.max(0, post.likeCount + (like ? 1 : -1)) };
    set((state) => ({ posts: { ...state.posts, [postId]: optimistic } }));
    try {
      const answer = await postsApi.like(postId, like);
      set((state) => {
        const current = state.posts[postId];
        // A push that came first with newer counts (my other device's unlike) is kept over this answer.
        return current === undefined ? {} : { posts: { ...state.posts, [postId]: withNewerCounts(current, answer) } };
      });
    } catch (error) {
      // Only the like is put back: counts that came live meanwhile stay.
      set((state) => {
        const current = state.posts[postId];
        return current === undefined ? {} : { posts: { ...state.posts, [postId]: { ...current, likedByMe: post.likedByMe, likeCount: post.likeCount } } };
      });
      throw error;
    }
  },

  clear() {
    set({ posts: {}, feed: emptyList(), byUser: {}, comments: {}, unseen: 0, seenUpTo: 0, arrived: 0 });
  },
}));

function forget(state: FeedState, postId: string): Partial<FeedState> {
  const { [postId]: _removed, ...posts } = state.posts;
  const { [postId]: _thread, ...comments } = state.comments;
  const byUser = Object.fromEntries(Object.entries(state.byUser).map(([userId, list]) => [userId, { ...list, ids: list.ids.filter((id) => id !== postId) }]));
  return { posts, comments, byUser, feed: { ...state.feed, ids: state.feed.ids.filter((id) => id !== postId) } };
}
