import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { AlbumView, CommentView, FeedUnseen, LikeState, PhotoView, PostView, PostsPage, ProfileView } from '#common/contract/posts.js';
import { signIn, testDevice, type TestServer } from '../support/test-server.js';
import { EventWatcher, newUser, postBackends, setBook, startPostsServer, uploadPicture, type PostsUser } from '../support/posts.js';
import { sleep } from '../support/sockets.js';

type ErrorAnswer = { error: { code: string } };

/** The feed's pages and badge, deletion, albums, the profile's avatar, and attacks with other people's ids. */
describe.each(postBackends)('feed, deletion and albums on $name', (backend) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  let startOtherNode: () => Promise<TestServer>;
  let otherNode: TestServer | undefined;
  const watchers: EventWatcher[] = [];

  beforeAll(async () => {
    ({ server, drop, otherNode: startOtherNode } = await startPostsServer(backend, 'posts-feed'));
  });
  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    if (otherNode !== server) await otherNode?.close();
    await server?.close();
    await drop?.();
  });

  async function mutual(a: PostsUser, others: PostsUser[]) {
    await setBook(a, others.map((other) => other.phone));
    for (const other of others) await setBook(other, [a.phone]);
  }
  async function post(user: PostsUser, text: string, extra: Record<string, unknown> = {}): Promise<PostView> {
    const answer = await user.api.route<PostView>(routes.createPost, { body: { kind: 'mood', text, visibleTo: 'contacts', ...extra } });
    expect(answer.status).toBe(201);
    return answer.body;
  }
  const fileStatus = async (user: PostsUser, id: string, thumbnail = false) =>
    (await fetch(`${server.url}${(thumbnail ? routes.attachmentThumbnail : routes.attachment).path.replace(':id', id)}`, { headers: { authorization: `Bearer ${user.token}` } })).status;
  const attachmentFile = (id: string) => path.join(server.dataDir, 'attachments', id);

  it('pages the feed newest first with a cursor that neither repeats nor skips a post while others post', async () => {
    const reader = await newUser(server, 'reader');
    const writers = await Promise.all([1, 2, 3, 4].map((n) => newUser(server, `writer ${n}`)));
    await setBook(reader, writers.map((writer) => writer.phone));
    for (const writer of writers) await setBook(writer, [reader.phone]);
    const before: string[] = [];
    for (let round = 0; round < 6; round++) for (const writer of writers) before.push((await post(writer, `old ${round}`)).id);

    // Walk the feed five posts at a time while every writer keeps posting in parallel.
    const seen: string[] = [];
    let cursor: string | undefined;
    const posting = Promise.all(writers.map(async (writer) => {
      for (let n = 0; n < 5; n++) await post(writer, `new ${n}`);
    }));
    let first: PostView[] | undefined;
    for (;;) {
      const page = await reader.api.route<PostsPage>(routes.feed, { query: { before: cursor, limit: 5 } });
      expect(page.status).toBe(200);
      first ??= page.body.posts;
      seen.push(...page.body.posts.map((entry) => entry.id));
      const seqs = page.body.posts.map((entry) => entry.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      if (!page.body.next) break;
      cursor = page.body.next;
      await sleep(5);
    }
    await posting;
    expect(new Set(seen).size).toBe(seen.length);
    // Every post that existed when the walk began is there once, in the order it was posted.
    const old = seen.filter((id) => before.includes(id));
    expect(old).toEqual([...before].reverse());
    expect(first?.[0]?.seq).toBeGreaterThan(0);
    const all = (await reader.api.route<PostsPage>(routes.feed, { query: { limit: 100 } })).body.posts;
    expect(all).toHaveLength(44);
    expect((await reader.api.route(routes.feed, { query: { before: 'not-a-cursor' } })).status).toBe(400);
    expect((await reader.api.route(routes.feed, { query: { limit: 1000 } })).status).toBe(400);
  });

  it('counts the badge from the seen mark, which only moves forward and never past the last post', async () => {
    const reader = await newUser(server, 'reader');
    const writer = await newUser(server, 'writer');
    await mutual(writer, [reader]);
    const badge = async () => (await reader.api.route<FeedUnseen>(routes.feedUnseen)).body;
    expect(await badge()).toEqual({ count: 0, capped: false });
    const first = await post(writer, 'one');
    await post(writer, 'two');
    await post(reader, 'my own never counts');
    await post(writer, 'private', { visibleTo: 'private' });
    expect(await badge()).toEqual({ count: 2, capped: false });
    expect((await reader.api.route(routes.markFeedSeen, { body: { upTo: first.seq } })).status).toBe(204);
    expect((await badge()).count).toBe(1);
    expect((await reader.api.route(routes.markFeedSeen, { body: { upTo: 0 } })).status).toBe(204);
    expect((await badge()).count).toBe(1);
    // A forged mark far ahead stops at the last post: posts written later still count.
    expect((await reader.api.route(routes.markFeedSeen, { body: { upTo: 9_000_000_000 } })).status).toBe(204);
    expect((await badge()).count).toBe(0);
    await post(writer, 'three');
    expect((await badge()).count).toBe(1);
  });

  it('pushes comments and likes to devices on another node, with the counts a fresh read shows', async () => {
    const author = await newUser(server, 'author');
    const reader = await newUser(server, 'reader');
    await mutual(author, [reader]);
    // The author's tablet and the reader sit on the other node; everything below is done on this one.
    otherNode ??= await startOtherNode();
    const tablet = await signIn(otherNode.api, author.phone, testDevice('author tablet'));
    const events = ['post', 'post:comment', 'post:comment:removed', 'post:likes'] as const;
    const onTablet = new EventWatcher(otherNode.url, tablet.token, [...events]);
    const onReader = new EventWatcher(otherNode.url, reader.token, [...events]);
    watchers.push(onTablet, onReader);
    await Promise.all([onTablet.presence.connected(), onReader.presence.connected()]);
    const shared = await post(author, 'counting');
    await onReader.waitFor('post', (event) => event.id === shared.id);

    const comment = (await reader.api.route<CommentView>(routes.createComment, { params: { id: shared.id }, body: { text: 'first!' } })).body;
    // Every change of the counts moves their version by one: a device keeps the newest, whatever order pushes come in.
    expect(await onTablet.waitFor('post:comment', (event) => event.comment.id === comment.id)).toEqual({ comment, comments: 1, countsVersion: 1 });
    expect((await reader.api.route<LikeState>(routes.likePost, { params: { id: shared.id } })).body).toEqual({ likes: 1, likedByMe: true, countsVersion: 2 });
    expect((await author.api.route<LikeState>(routes.likePost, { params: { id: shared.id } })).body).toEqual({ likes: 2, likedByMe: true, countsVersion: 3 });
    // The tablet is the author's: it learns the author's own like; the reader only the count. (The push of
    // the reader's own like may be read after the author's like, so each is picked by who it is for.)
    expect(await onTablet.waitFor('post:likes', (event) => event.likedByMe !== undefined)).toEqual({ postId: shared.id, likes: 2, likedByMe: true, countsVersion: 3 });
    expect(await onReader.waitFor('post:likes', (event) => event.likedByMe === undefined)).toEqual({ postId: shared.id, likes: 2, countsVersion: 3 });
    // The reader's like reaches the tablet as the counts were when its push read them: the version with them.
    const readersLike = await onTablet.waitFor('post:likes', (event) => event.likedByMe === undefined);
    expect([{ likes: 1, countsVersion: 2 }, { likes: 2, countsVersion: 3 }]).toContainEqual({ likes: readersLike.likes, countsVersion: readersLike.countsVersion });
    expect((await reader.api.route(routes.deleteComment, { params: { id: shared.id, commentId: comment.id } })).status).toBe(204);
    expect(await onTablet.waitFor('post:comment:removed', () => true)).toEqual({ postId: shared.id, commentId: comment.id, comments: 0, countsVersion: 4 });
    // What came live is what a fresh read says.
    expect((await reader.api.route<PostView>(routes.post, { params: { id: shared.id } })).body).toMatchObject({ likes: 2, comments: 0, likedByMe: true, countsVersion: 4 });
    expect(onReader.of('post:comment:removed')).toEqual([{ postId: shared.id, commentId: comment.id, comments: 0, countsVersion: 4 }]);
    expect([...onTablet.invalid, ...onReader.invalid]).toEqual([]);
  });

  it('deletes a post with its comments, likes and pictures; a picture an album still shows stays', async () => {
    const author = await newUser(server, 'author');
    const friend = await newUser(server, 'friend');
    await mutual(author, [friend]);
    const picture = await uploadPicture(server, author);
    const kept = await uploadPicture(server, author);
    const album = (await author.api.route<AlbumView>(routes.createAlbum, { body: { title: 'Trip', visibleTo: 'contacts' } })).body;
    expect((await author.api.route(routes.addAlbumPhoto, { params: { id: album.id }, body: { attachmentId: kept, caption: 'the lake' } })).status).toBe(201);
    const doomed = await post(author, 'going away', { attachments: [picture, kept] });
    expect((await friend.api.route(routes.createComment, { params: { id: doomed.id }, body: { text: 'nice' } })).status).toBe(201);
    expect((await friend.api.route(routes.likePost, { params: { id: doomed.id } })).status).toBe(200);
    expect(await fileStatus(friend, picture)).toBe(200);

    expect((await friend.api.route(routes.deletePost, { params: { id: doomed.id } })).status).toBe(404);
    expect((await author.api.route(routes.deletePost, { params: { id: doomed.id } })).status).toBe(204);
    expect((await author.api.route(routes.deletePost, { params: { id: doomed.id } })).status).toBe(404);
    const db = server.storage.db;
    expect(await db.selectFrom('post_comments').select('id').where('post_id', '=', doomed.id).execute()).toEqual([]);
    expect(await db.selectFrom('post_likes').select('user_id').where('post_id', '=', doomed.id).execute()).toEqual([]);
    expect(await db.selectFrom('post_attachments').select('attachment_id').where('post_id', '=', doomed.id).execute()).toEqual([]);
    // The picture only the post showed is gone, file and all, even for its uploader.
    expect(await fileStatus(author, picture)).toBe(404);
    expect(fs.existsSync(attachmentFile(picture))).toBe(false);
    expect(await fileStatus(friend, kept)).toBe(200);
    expect(fs.existsSync(attachmentFile(kept))).toBe(true);
    expect(await fileStatus(friend, picture)).toBe(404);
  });

  it('keeps albums: photos with captions, the grid, audiences, removal', async () => {
    const owner = await newUser(server, 'owner');
    const friend = await newUser(server, 'friend');
    const stranger = await newUser(server, 'stranger');
    await mutual(owner, [friend]);
    const open = (await owner.api.route<AlbumView>(routes.createAlbum, { body: { title: ' Spring ' } })).body;
    const closed = (await owner.api.route<AlbumView>(routes.createAlbum, { body: { title: 'Mine', visibleTo: 'private' } })).body;
    expect(open).toMatchObject({ title: 'Spring', visibleTo: 'contacts', photoCount: 0 });
    const first = await uploadPicture(server, owner);
    const second = await uploadPicture(server, owner);
    const photo = await owner.api.route<PhotoView>(routes.addAlbumPhoto, { params: { id: open.id }, body: { attachmentId: first, caption: 'blossoms' } });
    expect(photo.body).toMatchObject({ attachmentId: first, caption: 'blossoms' });
    expect((await owner.api.route(routes.addAlbumPhoto, { params: { id: open.id }, body: { attachmentId: second } })).status).toBe(201);
    expect((await owner.api.route(routes.addAlbumPhoto, { params: { id: closed.id }, body: { attachmentId: second } })).status).toBe(201);

    const albumsSeenBy = async (viewer: PostsUser) => viewer.api.route<{ albums: AlbumView[] }>(routes.userAlbums, { params: { userId: owner.id } });
    expect((await albumsSeenBy(owner)).body.albums.map((album) => album.title)).toEqual(['Mine', 'Spring']);
    const friendsView = (await albumsSeenBy(friend)).body.albums;
    expect(friendsView).toEqual([{ id: open.id, ownerId: owner.id, title: 'Spring', photoCount: 2, coverAttachmentId: second, createdAt: open.createdAt }]);
    expect((await albumsSeenBy(stranger)).status).toBe(404);
    const photos = await friend.api.route<{ photos: PhotoView[] }>(routes.albumPhotos, { params: { id: open.id } });
    expect(photos.body.photos.map((entry) => [entry.attachmentId, entry.caption])).toEqual([[first, 'blossoms'], [second, undefined]]);
    expect((await friend.api.route(routes.albumPhotos, { params: { id: closed.id } })).status).toBe(404);
    expect(await fileStatus(friend, first)).toBe(200);
    expect(await fileStatus(stranger, first)).toBe(404);

    expect((await friend.api.route(routes.deleteAlbumPhoto, { params: { id: open.id, photoId: photo.body.id } })).status).toBe(404);
    expect((await owner.api.route(routes.deleteAlbumPhoto, { params: { id: open.id, photoId: photo.body.id } })).status).toBe(204);
    expect(await fileStatus(owner, first)).toBe(404);
    expect((await friend.api.route(routes.deleteAlbum, { params: { id: open.id } })).status).toBe(404);
    expect((await owner.api.route(routes.deleteAlbum, { params: { id: open.id } })).status).toBe(204);
    expect((await friend.api.route(routes.albumPhotos, { params: { id: open.id } })).status).toBe(404);
    // The second picture is still in the private album: kept for its owner, not for the friend.
    expect(await fileStatus(owner, second)).toBe(200);
    expect(await fileStatus(friend, second)).toBe(404);
  });

  it('publishes a profile with an avatar that those who may see the profile can fetch, thumbnail included', async () => {
    const me = await newUser(server, 'me');
    const friend = await newUser(server, 'friend');
    const stranger = await newUser(server, 'stranger');
    await mutual(me, [friend]);
    const avatar = await uploadPicture(server, me, await sharp({ create: { width: 64, height: 64, channels: 3, background: '#cc6633' } }).png().toBuffer());
    const saved = await me.api.route<ProfileView>(routes.updateMyProfile, { body: { displayName: ' 林娜 ', signature: '在路上', avatarAttachmentId: avatar } });
    expect(saved.body).toMatchObject({ userId: me.id, displayName: '林娜', signature: '在路上', avatarAttachmentId: avatar });
    expect((await friend.api.route<ProfileView>(routes.userProfile, { params: { userId: me.id } })).body).toMatchObject({ displayName: '林娜', avatarAttachmentId: avatar });
    expect(await fileStatus(friend, avatar)).toBe(200);
    expect(await fileStatus(stranger, avatar)).toBe(404);
    let thumbnail = 0;
    for (let tries = 0; tries < 50 && thumbnail !== 200; tries++) {
      thumbnail = await fileStatus(friend, avatar, true);
      if (thumbnail !== 200) await sleep(50);
    }
    expect(thumbnail).toBe(200);
    expect(await fileStatus(stranger, avatar, true)).toBe(404);
    // An absent key stays, null removes; the author line of a post carries the profile.
    expect((await me.api.route<ProfileView>(routes.updateMyProfile, { body: { signature: null } })).body).toEqual({ userId: me.id, displayName: '林娜', avatarAttachmentId: avatar, updatedAt: expect.any(String) as string });
    const shared = await post(me, 'with my face');
    expect((await friend.api.route<PostView>(routes.post, { params: { id: shared.id } })).body.author).toEqual({ userId: me.id, displayName: '林娜', avatarAttachmentId: avatar });
  });

  it('deletes the avatar it replaces, file and all, unless a post still shows that picture', async () => {
    const me = await newUser(server, 'me');
    const friend = await newUser(server, 'friend');
    await mutual(me, [friend]);
    const setAvatar = async (avatarAttachmentId: string | null) => expect((await me.api.route(routes.updateMyProfile, { body: { avatarAttachmentId } })).status).toBe(200);
    const first = await uploadPicture(server, me);
    await setAvatar(first);
    const second = await uploadPicture(server, me);
    await setAvatar(second);
    expect(fs.existsSync(attachmentFile(first))).toBe(false);
    expect(await fileStatus(me, first)).toBe(404);
    expect(await fileStatus(friend, second)).toBe(200);
    // A changed signature leaves the avatar alone.
    expect((await me.api.route(routes.updateMyProfile, { body: { signature: 'hi' } })).status).toBe(200);
    expect(fs.existsSync(attachmentFile(second))).toBe(true);
    // The same picture in a post stays when it stops being the avatar.
    await post(me, 'my face', { attachments: [second] });
    const third = await uploadPicture(server, me);
    await setAvatar(third);
    expect(fs.existsSync(attachmentFile(second))).toBe(true);
    expect(await fileStatus(friend, second)).toBe(200);
    // No avatar at all: the last one goes too.
    await setAvatar(null);
    expect(fs.existsSync(attachmentFile(third))).toBe(false);
  });

  it('refuses other people\'s ids and forged input', async () => {
    const me = await newUser(server, 'me');
    const other = await newUser(server, 'other');
    await mutual(me, [other]);
    const theirs = await uploadPicture(server, other);
    const text = await fetch(server.url + routes.uploadAttachment.path, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${me.token}` }, body: 'just words' });
    const myText = ((await text.json()) as { attachmentId: string }).attachmentId;
    const code = (answer: { body: unknown }) => (answer.body as ErrorAnswer).error.code;

    // Someone else's picture (one I can even see) cannot go into my post, album or avatar.
    const shown = await post(other, 'my picture', { attachments: [theirs] });
    expect(await fileStatus(me, theirs)).toBe(200);
    const stolen = await me.api.route(routes.createPost, { body: { kind: 'mood', text: 'mine now', attachments: [theirs] } });
    expect([stolen.status, code(stolen)]).toEqual([400, 'unknown_attachment']);
    const asAvatar = await me.api.route(routes.updateMyProfile, { body: { avatarAttachmentId: theirs } });
    expect([asAvatar.status, code(asAvatar)]).toEqual([400, 'unknown_attachment']);
    const notPicture = await me.api.route(routes.createPost, { body: { kind: 'mood', text: 'a file', attachments: [myText] } });
    expect([notPicture.status, code(notPicture)]).toEqual([415, 'not_a_picture']);
    const myAlbum = (await me.api.route<AlbumView>(routes.createAlbum, { body: { title: 'A' } })).body;
    expect(code(await me.api.route(routes.addAlbumPhoto, { params: { id: myAlbum.id }, body: { attachmentId: theirs } }))).toBe('unknown_attachment');
    const theirAlbum = (await other.api.route<AlbumView>(routes.createAlbum, { body: { title: 'B' } })).body;
    const mine = await uploadPicture(server, me);
    expect((await me.api.route(routes.addAlbumPhoto, { params: { id: theirAlbum.id }, body: { attachmentId: mine } })).status).toBe(404);
    expect((await me.api.route(routes.deleteAlbum, { params: { id: theirAlbum.id } })).status).toBe(404);
    expect((await me.api.route(routes.deletePost, { params: { id: shown.id } })).status).toBe(404);
    const theirComment = await other.api.route<CommentView>(routes.createComment, { params: { id: shown.id }, body: { text: 'mine' } });
    const myPost = await post(me, 'mine');
    // A comment id of one post with another post's id: not found, not deleted.
    expect((await me.api.route(routes.deleteComment, { params: { id: myPost.id, commentId: theirComment.body.id } })).status).toBe(404);
    expect((await other.api.route<{ comments: CommentView[] }>(routes.postComments, { params: { id: shown.id } })).body.comments).toHaveLength(1);

    // Forged shapes.
    const bad = async (body: unknown) => (await me.api.route(routes.createPost, { body })).status;
    expect(await bad({ kind: 'rant', text: 'x' })).toBe(400);
    expect(await bad({ kind: 'mood', text: '   ' })).toBe(400);
    expect(await bad({ kind: 'mood', text: 'x', visibleTo: 'everyone' })).toBe(400);
    expect(await bad({ kind: 'mood', text: 'x', authorId: other.id })).toBe(400);
    expect(await bad({ kind: 'mood', text: 'x'.repeat(10_001) })).toBe(400);
    expect(await bad({ kind: 'mood', text: 'x', attachments: Array.from({ length: 10 }, () => mine) })).toBe(400);
    expect((await me.api.route(routes.post, { params: { id: 'not-a-uuid' } })).status).toBe(404);
    expect((await me.api.route(routes.userProfile, { params: { userId: '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);
    expect((await server.api.route(routes.feed, { query: {} })).status).toBe(401);
    expect((await me.api.route(routes.markFeedSeen, { body: { upTo: -1 } })).status).toBe(400);
    expect((await me.api.route(routes.updateMyProfile, { body: { displayName: 'x'.repeat(65) } })).status).toBe(400);
  });

  it('deleting an account removes its profile, posts, comments, likes, albums and seen mark', async () => {
    const leaving = await newUser(server, 'leaving');
    const staying = await newUser(server, 'staying');
    await mutual(leaving, [staying]);
    const password = 'a long enough password 1';
    expect((await leaving.api.route(routes.setPassword, { body: { password, signOutOthers: false } })).status).toBe(204);
    expect((await leaving.api.route(routes.updateMyProfile, { body: { displayName: 'Bye' } })).status).toBe(200);
    const theirs = await post(staying, 'stays');
    const mine = await post(leaving, 'goes');
    expect((await leaving.api.route(routes.createComment, { params: { id: theirs.id }, body: { text: 'bye' } })).status).toBe(201);
    expect((await leaving.api.route(routes.likePost, { params: { id: theirs.id } })).status).toBe(200);
    expect((await leaving.api.route(routes.createAlbum, { body: { title: 'Old' } })).status).toBe(201);
    expect((await leaving.api.route(routes.markFeedSeen, { body: { upTo: theirs.seq } })).status).toBe(204);
    expect((await leaving.api.route(routes.deleteAccount, { body: { password } })).status).toBe(204);

    const db = server.storage.db;
    const left = [
      await db.selectFrom('profiles').select('user_id').where('user_id', '=', leaving.id).execute(),
      await db.selectFrom('posts').select('id').where('author_id', '=', leaving.id).execute(),
      await db.selectFrom('post_comments').select('id').where('author_id', '=', leaving.id).execute(),
      await db.selectFrom('post_likes').select('post_id').where('user_id', '=', leaving.id).execute(),
      await db.selectFrom('albums').select('id').where('owner_id', '=', leaving.id).execute(),
      await db.selectFrom('feed_marks').select('user_id').where('user_id', '=', leaving.id).execute(),
    ];
    expect(left.flat()).toEqual([]);
    expect((await staying.api.route<PostView>(routes.post, { params: { id: theirs.id } })).body).toMatchObject({ likes: 0, comments: 0 });
    expect((await staying.api.route(routes.post, { params: { id: mine.id } })).status).toBe(404);
  });
});
