import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '#server/db/database.js';
import { KyselyIdentityRepository } from '#server/features/identity/identity.kysely-repository.js';
import { KyselyMessagesRepository } from '#server/features/messages/messages.kysely-repository.js';
import { KyselyPostsRepository } from '#server/features/posts/posts.kysely-repository.js';
import type { NewPost } from '#server/features/posts/posts.repository.js';
import { KyselyProfileRepository } from '#server/features/profile/profile.kysely-repository.js';
import { storageBackends } from '../support/storage-matrix.js';

const backends = await storageBackends();

/** The same repository tests on SQLite and PostgreSQL. */
describe.each(backends)('posts and profile repositories on $name', (backend) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let posts: KyselyPostsRepository;
  let profiles: KyselyProfileRepository;
  let messages: KyselyMessagesRepository;
  let identity: KyselyIdentityRepository;
  let phones = 0;

  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    const opened = await backend.open();
    storage = opened.storage;
    dispose = opened.dispose;
    posts = new KyselyPostsRepository(storage.db);
    profiles = new KyselyProfileRepository(storage.db);
    messages = new KyselyMessagesRepository(storage);
    identity = new KyselyIdentityRepository(storage.db, (phone) => `h:${phone}`, storage.kind);
  });
  afterEach(async () => {
    await dispose?.();
  });

  const user = async () => (await identity.createUser({ id: randomUUID(), phone: `+861380013${String(8000 + ++phones)}`, now: 1 })).id;
  const picture = async (uploaderId: string) => {
    const id = randomUUID();
    await messages.addAttachment({ id, uploaderId, contentType: 'image/png', size: 1, sha256: 'x', fileName: null, createdAt: 1 });
    return id;
  };
  const newPost = (authorId: string, extra: Partial<NewPost> = {}): NewPost => ({
    id: randomUUID(),
    authorId,
    kind: 'mood',
    text: 'hi',
    visibleTo: 'contacts',
    attachments: [],
    createdAt: 1,
    ...extra,
  });

  it('numbers posts in order, also when many are stored at once, and pages the scope newest first', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const stored = await Promise.all(Array.from({ length: 30 }, (_, n) => posts.createPost(newPost([a, b, c][n % 3] as string, { visibleTo: n % 2 === 0 ? 'contacts' : 'allowlist' }))));
    const seqs = stored.map((post) => post.seq).sort((x, y) => x - y);
    expect(new Set(seqs).size).toBe(30);
    expect(await posts.lastSeq()).toBe(seqs.at(-1));
    // Contacts-posts of a, allowlist-posts of b, everything of c.
    const scope = { self: c, contacts: [a], allowlist: [b] };
    const expected = stored
      .filter((post) => post.authorId === c || (post.authorId === a && post.visibleTo === 'contacts') || (post.authorId === b && post.visibleTo === 'allowlist'))
      .sort((x, y) => y.seq - x.seq)
      .map((post) => post.id);
    const first = await posts.page(scope, undefined, 4);
    const rest = await posts.page(scope, first.at(-1)?.seq, 100);
    expect([...first, ...rest].map((post) => post.id)).toEqual(expected);
    expect(await posts.countAfter({ self: undefined, contacts: [a], allowlist: [b] }, 0, 1000)).toBe(expected.length - 10);
    expect(await posts.countAfter({ self: undefined, contacts: [a], allowlist: [b] }, 0, 3)).toBe(3);
    expect(await posts.page({ self: undefined, contacts: [], allowlist: [] }, undefined, 10)).toEqual([]);
  });

  it('keeps pictures in order, finds what shows a file, and deletes a post with its comments, likes and links', async () => {
    const author = await user();
    const friend = await user();
    const [p1, p2] = [await picture(author), await picture(author)];
    const post = await posts.createPost(newPost(author, { attachments: [p2, p1] }));
    expect((await posts.findPost(post.id))?.attachments).toEqual([p2, p1]);
    expect(await posts.showingsOf(p1)).toEqual([{ ownerId: author, visibleTo: 'contacts' }]);
    expect(await posts.addComment({ id: randomUUID(), postId: post.id, authorId: friend, text: 'x', createdAt: 2 }, 10)).toBe(true);
    // Whether a like changed is what decides a live push: liking again, or unliking twice, changes nothing.
    expect([await posts.setLike(post.id, friend, true, 3), await posts.setLike(post.id, friend, true, 4)]).toEqual([true, false]);
    expect([await posts.setLike(post.id, author, true, 4), await posts.setLike(post.id, author, false, 5), await posts.setLike(post.id, author, false, 6)]).toEqual([true, true, false]);
    // The comment and the three likes that changed something moved the version; the two that did not, not.
    expect(await posts.countsFor([post.id], friend)).toEqual(new Map([[post.id, { likes: 1, comments: 1, likedByMe: true, countsVersion: 4 }]]));
    expect(await posts.deletePost(post.id, friend)).toBeUndefined();
    expect(await posts.deletePost(post.id, author)).toEqual([p2, p1]);
    expect(await posts.showingsOf(p1)).toEqual([]);
    expect(await posts.comments(post.id)).toEqual([]);
    expect(await storage.db.selectFrom('post_likes').selectAll().execute()).toEqual([]);
    // A file no message holds is deleted for its uploader only.
    expect(await messages.deleteAttachmentUnlessSent(friend, p1)).toBe(false);
    expect(await messages.deleteAttachmentUnlessSent(author, p1)).toBe(true);
    expect(await messages.findAttachment(p1)).toBeUndefined();
  });

  it('holds caps under parallel writes: comments per post, photos per album, albums per owner', async () => {
    const owner = await user();
    const post = await posts.createPost(newPost(owner));
    const comments = await Promise.all(Array.from({ length: 12 }, (_, n) => posts.addComment({ id: randomUUID(), postId: post.id, authorId: owner, text: `c${n}`, createdAt: n }, 5)));
    expect(comments.filter(Boolean)).toHaveLength(5);
    expect(await posts.comments(post.id)).toHaveLength(5);

    const albums = await Promise.all(Array.from({ length: 8 }, (_, n) => posts.createAlbum({ id: randomUUID(), ownerId: owner, title: `a${n}`, visibleTo: 'contacts', createdAt: n }, 3)));
    expect(albums.filter(Boolean)).toHaveLength(3);
    const [album] = await posts.albumsOf(owner, 'all');
    const photo = await picture(owner);
    const added = await Promise.all(Array.from({ length: 9 }, (_, n) => posts.addPhoto({ id: randomUUID(), albumId: album?.id ?? '', attachmentId: photo, caption: null, createdAt: n }, 4)));
    expect(added.filter(Boolean)).toHaveLength(4);
    expect((await posts.albumsOf(owner, ['contacts'])).find((entry) => entry.id === album?.id)?.photoCount).toBe(4);
    expect(await posts.albumsOf(owner, ['private'])).toEqual([]);
    expect(await posts.addComment({ id: randomUUID(), postId: randomUUID(), authorId: owner, text: 'x', createdAt: 1 }, 5)).toBe(false);
  });

  it('moves the seen mark forward only, and keeps one profile per user', async () => {
    const me = await user();
    expect(await posts.seenMark(me)).toBe(0);
    await posts.markSeen(me, 7);
    await posts.markSeen(me, 3);
    expect(await posts.seenMark(me)).toBe(7);
    const avatar = await picture(me);
    await profiles.save({ userId: me, displayName: 'A', signature: null, avatarAttachmentId: avatar, updatedAt: 1 });
    await profiles.save({ userId: me, displayName: 'B', signature: 'sig', avatarAttachmentId: avatar, updatedAt: 2 });
    expect(await profiles.profilesOf([me])).toEqual(new Map([[me, { userId: me, displayName: 'B', signature: 'sig', avatarAttachmentId: avatar, updatedAt: 2 }]]));
    expect(await profiles.avatarOwners(avatar)).toEqual([me]);
    // The file gone (account deletion of uploads): the avatar is cleared, the profile stays.
    await messages.deleteAttachmentsOf(me);
    expect((await profiles.profilesOf([me])).get(me)?.avatarAttachmentId).toBeNull();
    await posts.deleteUser(me);
    await profiles.deleteUser(me);
    expect(await profiles.profilesOf([me])).toEqual(new Map());
    expect(await posts.seenMark(me)).toBe(0);
  });
});
