import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { CommentView, FeedUnseen, PostView, PostsPage, ProfileView } from '#common/contract/posts.js';
import type { TestServer } from '../support/test-server.js';
import { EventWatcher, newUser, postBackends, setBook, startPostsServer, uploadPicture, type PostsUser } from '../support/posts.js';
import { sleep } from '../support/sockets.js';

/**
 * Who sees a profile, a post, its pictures and its comments, over real HTTP and sockets: mutual contacts,
 * the allowlist, one-way numbers, blocks both ways, strangers, and an invisible author.
 */
describe.each(postBackends)('posts visibility on $name', (backend) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  let startOtherNode: () => Promise<TestServer>;
  let otherNode: TestServer | undefined;
  const watchers: EventWatcher[] = [];

  beforeAll(async () => {
    ({ server, drop, otherNode: startOtherNode } = await startPostsServer(backend, 'posts-visibility'));
  });
  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    if (otherNode !== server) await otherNode?.close();
    await server?.close();
    await drop?.();
  });

  function watch(user: PostsUser) {
    const watcher = new EventWatcher(server.url, user.token, ['post', 'post:removed', 'post:comment', 'post:comment:removed', 'post:likes']);
    watchers.push(watcher);
    return watcher;
  }

  /** The author and one person in each relation to them. */
  async function cast() {
    const author = await newUser(server, 'author');
    const contact = await newUser(server, 'contact');
    const listed = await newUser(server, 'listed');
    const oneWay = await newUser(server, 'one-way');
    const blockedByAuthor = await newUser(server, 'blocked by author');
    const blockerOfAuthor = await newUser(server, 'blocker of author');
    const stranger = await newUser(server, 'stranger');
    await setBook(author, [contact.phone, blockedByAuthor.phone, blockerOfAuthor.phone]);
    for (const mutual of [contact, blockedByAuthor, blockerOfAuthor, oneWay]) await setBook(mutual, [author.phone]);
    expect((await author.api.route(routes.allow, { params: { userId: listed.id } })).status).toBe(204);
    expect((await author.api.route(routes.block, { params: { userId: blockedByAuthor.id } })).status).toBe(204);
    expect((await blockerOfAuthor.api.route(routes.block, { params: { userId: author.id } })).status).toBe(204);
    return { author, contact, listed, oneWay, blockedByAuthor, blockerOfAuthor, stranger };
  }

  async function post(user: PostsUser, body: Record<string, unknown>): Promise<PostView> {
    const answer = await user.api.route<PostView>(routes.createPost, { body });
    expect(answer.status).toBe(201);
    return answer.body;
  }
  const feedIds = async (user: PostsUser) => (await user.api.route<PostsPage>(routes.feed, { query: {} })).body.posts.map((entry) => entry.id);
  const status = async (user: PostsUser, route: Parameters<PostsUser['api']['route']>[0], params: Record<string, string>, body?: unknown) =>
    (await user.api.route(route, { params, ...(body === undefined ? {} : { body }) })).status;

  it('shows each audience exactly to the people it admits: feed, the post, the author\'s page, pictures, comments and likes', async () => {
    const people = await cast();
    const { author } = people;
    const picture = await uploadPicture(server, author);
    const forContacts = await post(author, { kind: 'mood', text: 'for contacts', attachments: [picture], visibleTo: 'contacts' });
    const forAllowlist = await post(author, { kind: 'diary', text: 'for the allowlist', visibleTo: 'allowlist' });
    const forMe = await post(author, { kind: 'diary', text: 'only me', visibleTo: 'private' });
    expect(forContacts).toMatchObject({ kind: 'mood', attachments: [picture], visibleTo: 'contacts', likes: 0, comments: 0, author: { userId: author.id } });

    const expected: Record<keyof typeof people, string[]> = {
      author: [forMe.id, forAllowlist.id, forContacts.id],
      contact: [forContacts.id],
      listed: [forAllowlist.id],
      oneWay: [],
      blockedByAuthor: [],
      blockerOfAuthor: [],
      stranger: [],
    };
    for (const [name, viewer] of Object.entries(people) as [keyof typeof people, PostsUser][]) {
      expect({ name, feed: await feedIds(viewer) }).toEqual({ name, feed: expected[name] });
      const page = await viewer.api.route<PostsPage>(routes.userPosts, { params: { userId: author.id }, query: {} });
      if (expected[name].length > 0) expect({ name, page: page.body.posts.map((entry) => entry.id) }).toEqual({ name, page: expected[name] });
      else expect({ name, status: page.status }).toEqual({ name, status: name === 'oneWay' || name === 'stranger' || name.startsWith('block') ? 404 : 200 });
      for (const candidate of [forContacts, forAllowlist, forMe]) {
        const visible = expected[name].includes(candidate.id);
        const want = visible ? [200, 201, 200, 200] : [404, 404, 404, 404];
        const got = [
          await status(viewer, routes.post, { id: candidate.id }),
          await status(viewer, routes.createComment, { id: candidate.id }, { text: `from ${name}` }),
          await status(viewer, routes.postComments, { id: candidate.id }),
          await status(viewer, routes.likePost, { id: candidate.id }),
        ];
        expect({ name, post: candidate.text, got }).toEqual({ name, post: candidate.text, got: want });
      }
      const fetched = await fetch(`${server.url}${routes.attachment.path.replace(':id', picture)}`, { headers: { authorization: `Bearer ${viewer.token}` } });
      expect({ name, picture: fetched.status }).toEqual({ name, picture: expected[name].includes(forContacts.id) ? 200 : 404 });
    }
    // What the allowed viewers (and the author) did is counted; a view of someone else never says the audience.
    const seenByAuthor = (await author.api.route<PostView>(routes.post, { params: { id: forContacts.id } })).body;
    expect(seenByAuthor).toMatchObject({ likes: 2, comments: 2, likedByMe: true });
    expect((await people.contact.api.route(routes.unlikePost, { params: { id: forContacts.id } })).body).toEqual({ likes: 1, likedByMe: false, countsVersion: seenByAuthor.countsVersion + 1 });
    const seenByContact = (await people.contact.api.route<PostView>(routes.post, { params: { id: forContacts.id } })).body;
    expect(seenByContact).toMatchObject({ likes: 1, likedByMe: false, comments: 2 });
    expect(seenByContact.visibleTo).toBeUndefined();
    const comments = (await author.api.route<{ comments: CommentView[] }>(routes.postComments, { params: { id: forContacts.id } })).body.comments;
    expect(comments.map((comment) => comment.text)).toEqual(['from author', 'from contact']);
  });

  it('applies each privacy and address-book change to the feed and its badge on the very next request, on the other node too', async () => {
    // The rules run inside the feed's SQL (standing-sql.ts); each step here fails if one of them is dropped.
    const { author, contact, listed } = await cast();
    otherNode ??= await startOtherNode();
    const elsewhere = otherNode;
    const forContacts = await post(author, { kind: 'mood', text: 'for contacts', visibleTo: 'contacts' });
    const forAllowlist = await post(author, { kind: 'mood', text: 'for the allowlist', visibleTo: 'allowlist' });
    const seenElsewhere = async (viewer: PostsUser) => {
      const api = elsewhere.api.withToken(viewer.token);
      const feed = (await api.route<PostsPage>(routes.feed, { query: {} })).body.posts.map((entry) => entry.id);
      const badge = (await api.route<FeedUnseen>(routes.feedUnseen, {})).body.count;
      return { feed, badge };
    };
    const asContact = { feed: [forContacts.id], badge: 1 };
    const asListed = { feed: [forAllowlist.id], badge: 1 };
    const nothing = { feed: [], badge: 0 };
    const ok = async (answer: Promise<{ status: number }>) => expect([200, 204]).toContain((await answer).status);
    expect([await seenElsewhere(contact), await seenElsewhere(listed)]).toEqual([asContact, asListed]);

    // A block either way hides the author, and the unblock shows them again.
    await ok(author.api.route(routes.block, { params: { userId: contact.id } }));
    expect(await seenElsewhere(contact)).toEqual(nothing);
    await ok(author.api.route(routes.unblock, { params: { userId: contact.id } }));
    expect(await seenElsewhere(contact)).toEqual(asContact);
    await ok(contact.api.route(routes.block, { params: { userId: author.id } }));
    expect(await seenElsewhere(contact)).toEqual(nothing);
    await ok(contact.api.route(routes.unblock, { params: { userId: author.id } }));
    expect(await seenElsewhere(contact)).toEqual(asContact);

    // "Contacts" needs the number both ways: either book losing it hides the post.
    const authorsBook = [contact.phone, listed.phone];
    await setBook(author, [listed.phone]);
    expect(await seenElsewhere(contact)).toEqual(nothing);
    await setBook(author, authorsBook);
    expect(await seenElsewhere(contact)).toEqual(asContact);
    await setBook(contact, []);
    expect(await seenElsewhere(contact)).toEqual(nothing);
    await setBook(contact, [author.phone]);
    expect(await seenElsewhere(contact)).toEqual(asContact);

    // The allowlist admits to its posts only while the viewer is on it.
    await ok(author.api.route(routes.disallow, { params: { userId: listed.id } }));
    expect(await seenElsewhere(listed)).toEqual(nothing);
    await ok(author.api.route(routes.allow, { params: { userId: listed.id } }));
    expect(await seenElsewhere(listed)).toEqual(asListed);

    // Not discoverable: only people in the author's own book still see them (here the listed person is).
    await ok(author.api.route(routes.updatePrivacy, { body: { discoverable: false } }));
    expect([await seenElsewhere(contact), await seenElsewhere(listed)]).toEqual([asContact, asListed]);
    await setBook(author, [contact.phone]);
    expect([await seenElsewhere(contact), await seenElsewhere(listed)]).toEqual([asContact, nothing]);
    await ok(author.api.route(routes.updatePrivacy, { body: { discoverable: true } }));
    expect(await seenElsewhere(listed)).toEqual(asListed);

    // Invisible (set on this node, held in the shared presence store): gone from every feed at once.
    const socket = watch(author).presence;
    await socket.connected();
    expect(await socket.set({ status: 'invisible' })).toEqual({ ok: true });
    expect([await seenElsewhere(contact), await seenElsewhere(listed)]).toEqual([nothing, nothing]);
    expect(await socket.set({ status: 'online' })).toEqual({ ok: true });
    expect([await seenElsewhere(contact), await seenElsewhere(listed)]).toEqual([asContact, asListed]);
  });

  it('hides everything of an invisible author, profile included, and shows it again when visible', async () => {
    const { author, contact } = await cast();
    expect((await author.api.route(routes.updateMyProfile, { body: { displayName: 'Lina', signature: 'on the road' } })).status).toBe(200);
    const visible = await post(author, { kind: 'mood', text: 'hello', visibleTo: 'contacts' });
    expect(await feedIds(contact)).toEqual([visible.id]);
    expect((await contact.api.route<ProfileView>(routes.userProfile, { params: { userId: author.id } })).body).toMatchObject({ displayName: 'Lina', signature: 'on the road' });

    const socket = watch(author).presence;
    await socket.connected();
    expect(await socket.set({ status: 'invisible' })).toEqual({ ok: true });
    expect(await feedIds(contact)).toEqual([]);
    expect(await status(contact, routes.post, { id: visible.id })).toBe(404);
    expect(await status(contact, routes.userProfile, { userId: author.id })).toBe(404);
    expect(await status(contact, routes.createComment, { id: visible.id }, { text: 'still there?' })).toBe(404);

    expect(await socket.set({ status: 'online' })).toEqual({ ok: true });
    expect(await feedIds(contact)).toEqual([visible.id]);
    expect(await status(contact, routes.userProfile, { userId: author.id })).toBe(200);
  });

  it('follows the activity setting for the profile and for posts without an audience', async () => {
    const { author, contact, listed, stranger } = await cast();
    const seen = async (viewer: PostsUser) => status(viewer, routes.userProfile, { userId: author.id });
    expect([await seen(contact), await seen(listed), await seen(stranger)]).toEqual([200, 404, 404]);
    expect((await author.api.route(routes.updatePrivacy, { body: { activityVisibleTo: 'allowlist' } })).status).toBe(200);
    expect([await seen(contact), await seen(listed), await seen(stranger)]).toEqual([404, 200, 404]);
    const defaulted = await post(author, { kind: 'mood', text: 'follows my setting' });
    expect(defaulted.visibleTo).toBe('allowlist');
    expect((await author.api.route(routes.updatePrivacy, { body: { activityVisibleTo: 'nobody' } })).status).toBe(200);
    expect((await post(author, { kind: 'mood', text: 'nobody' })).visibleTo).toBe('private');
    expect([await seen(contact), await seen(listed)]).toEqual([404, 404]);
  });

  it('hides an undiscoverable author from everyone outside their own book, the allowlist included', async () => {
    const { author, contact, listed } = await cast();
    const forAllowlist = await post(author, { kind: 'mood', text: 'for the allowlist', visibleTo: 'allowlist' });
    const forContacts = await post(author, { kind: 'mood', text: 'for contacts', visibleTo: 'contacts' });
    expect(await feedIds(listed)).toEqual([forAllowlist.id]);
    expect((await author.api.route(routes.updatePrivacy, { body: { discoverable: false } })).status).toBe(200);
    expect(await feedIds(listed)).toEqual([]);
    expect(await status(listed, routes.post, { id: forAllowlist.id })).toBe(404);
    // The contact is in the author's book: they still see the author.
    expect(await feedIds(contact)).toEqual([forContacts.id]);
  });

  it('pushes a new post live only to the allowed viewers online (and the author\'s devices), and its removal to them', async () => {
    const people = await cast();
    const { author } = people;
    expect((await author.api.route(routes.updateMyProfile, { body: { displayName: 'Lina' } })).status).toBe(200);
    const sockets = Object.fromEntries(Object.entries(people).map(([name, user]) => [name, watch(user)])) as Record<keyof typeof people, EventWatcher>;
    await Promise.all(Object.values(sockets).map((watcher) => watcher.presence.connected()));

    const forContacts = await post(author, { kind: 'mood', text: 'live to contacts', visibleTo: 'contacts' });
    const forAllowlist = await post(author, { kind: 'mood', text: 'live to the allowlist', visibleTo: 'allowlist' });
    const forMe = await post(author, { kind: 'mood', text: 'live to me', visibleTo: 'private' });
    const toContact = await sockets.contact.waitFor('post', (event) => event.id === forContacts.id);
    expect(toContact).toMatchObject({ text: 'live to contacts', author: { userId: author.id, displayName: 'Lina' }, likedByMe: false });
    expect(toContact.visibleTo).toBeUndefined();
    // The allowlisted person sees the post but not the profile (the activity setting is "contacts").
    expect((await sockets.listed.waitFor('post', (event) => event.id === forAllowlist.id)).author).toEqual({ userId: author.id });
    await sockets.author.waitFor('post', (event) => event.id === forMe.id);
    // Deleting is told to the same audience; afterwards nobody else received anything they may not see.
    expect((await author.api.route(routes.deletePost, { params: { id: forContacts.id } })).status).toBe(204);
    await sockets.contact.waitFor('post:removed', (event) => event.id === forContacts.id);
    await sleep(200);
    const receivedIds = (name: keyof typeof people) => sockets[name].of('post').map((event) => event.id).sort();
    expect(receivedIds('author')).toEqual([forContacts.id, forAllowlist.id, forMe.id].sort());
    expect(receivedIds('contact')).toEqual([forContacts.id]);
    expect(receivedIds('listed')).toEqual([forAllowlist.id]);
    for (const name of ['oneWay', 'blockedByAuthor', 'blockerOfAuthor', 'stranger'] as const) {
      expect({ name, posts: receivedIds(name), removed: sockets[name].of('post:removed') }).toEqual({ name, posts: [], removed: [] });
    }
    expect(Object.values(sockets).flatMap((watcher) => watcher.invalid)).toEqual([]);
  });

  it('pushes comments, their deletion and likes live only to those who may see the post and the person who acted', async () => {
    const people = await cast();
    const { author, contact } = people;
    // Two more of the author's contacts: the friend sees everything, the foe is blocked by the contact.
    const friend = await newUser(server, 'friend');
    const foe = await newUser(server, 'foe');
    await setBook(author, [contact.phone, people.blockedByAuthor.phone, people.blockerOfAuthor.phone, friend.phone, foe.phone]);
    await setBook(friend, [author.phone]);
    await setBook(foe, [author.phone]);
    expect((await contact.api.route(routes.block, { params: { userId: foe.id } })).status).toBe(204);
    // The contact's profile (activity "contacts") is seen by the author, their only mutual contact; not by the friend.
    expect((await contact.api.route(routes.updateMyProfile, { body: { displayName: 'Kim' } })).status).toBe(200);
    const everyone = { ...people, friend, foe };
    const sockets = Object.fromEntries(Object.entries(everyone).map(([name, user]) => [name, watch(user)])) as Record<keyof typeof everyone, EventWatcher>;
    await Promise.all(Object.values(sockets).map((watcher) => watcher.presence.connected()));
    const shared = await post(author, { kind: 'mood', text: 'talk to me', visibleTo: 'contacts' });
    const mine = await post(author, { kind: 'diary', text: 'to myself', visibleTo: 'private' });

    const byContact = await contact.api.route<CommentView>(routes.createComment, { params: { id: shared.id }, body: { text: 'from Kim' } });
    expect(byContact.status).toBe(201);
    const kim = { userId: contact.id, displayName: 'Kim' };
    expect((await sockets.author.waitFor('post:comment', (event) => event.comment.id === byContact.body.id))).toEqual({ comment: { ...byContact.body, author: kim }, comments: 1, countsVersion: 1 });
    // The writer's own devices get it as answered (their other devices show it too).
    expect((await sockets.contact.waitFor('post:comment', (event) => event.comment.id === byContact.body.id))).toEqual({ comment: byContact.body, comments: 1, countsVersion: 1 });
    // The friend may see the post, not Kim's profile: the author line is bare.
    expect((await sockets.friend.waitFor('post:comment', (event) => event.comment.id === byContact.body.id)).comment.author).toEqual({ userId: contact.id });

    // Each change of the counts moves their version by one (the comment was the first).
    expect((await contact.api.route(routes.likePost, { params: { id: shared.id } })).body).toEqual({ likes: 1, likedByMe: true, countsVersion: 2 });
    expect(await sockets.contact.waitFor('post:likes', (event) => event.postId === shared.id)).toEqual({ postId: shared.id, likes: 1, likedByMe: true, countsVersion: 2 });
    // Others learn the count, never whose like it is nor the liker's likedByMe.
    expect(await sockets.author.waitFor('post:likes', (event) => event.postId === shared.id)).toEqual({ postId: shared.id, likes: 1, countsVersion: 2 });
    await sockets.friend.waitFor('post:likes', (event) => event.postId === shared.id);
    // Liking again changes nothing (not even the version) and is told to no one.
    expect((await contact.api.route(routes.likePost, { params: { id: shared.id } })).body).toEqual({ likes: 1, likedByMe: true, countsVersion: 2 });

    const byFriend = await friend.api.route<CommentView>(routes.createComment, { params: { id: shared.id }, body: { text: 'from the friend' } });
    expect((await sockets.foe.waitFor('post:comment', (event) => event.comment.id === byFriend.body.id)).comments).toBe(2);
    expect((await friend.api.route(routes.likePost, { params: { id: shared.id } })).body).toEqual({ likes: 2, likedByMe: true, countsVersion: 4 });
    expect(await sockets.foe.waitFor('post:likes', (event) => event.postId === shared.id)).toEqual({ postId: shared.id, likes: 2, countsVersion: 4 });
    expect(await sockets.contact.waitFor('post:likes', (event) => event.postId === shared.id && event.likes === 2)).toEqual({ postId: shared.id, likes: 2, countsVersion: 4 });

    // The post's author deletes Kim's comment: pushed as removed to those who were told of it.
    expect(await status(author, routes.deleteComment, { id: shared.id, commentId: byContact.body.id })).toBe(204);
    const removal = { postId: shared.id, commentId: byContact.body.id, comments: 1, countsVersion: 5 };
    expect(await sockets.contact.waitFor('post:comment:removed', (event) => event.commentId === byContact.body.id)).toEqual(removal);
    expect(await sockets.author.waitFor('post:comment:removed', (event) => event.commentId === byContact.body.id)).toEqual(removal);
    await sockets.friend.waitFor('post:comment:removed', (event) => event.commentId === byContact.body.id);
    // A comment and a like on a private post reach the author's devices only.
    const note = await author.api.route<CommentView>(routes.createComment, { params: { id: mine.id }, body: { text: 'note to self' } });
    expect((await author.api.route(routes.likePost, { params: { id: mine.id } })).status).toBe(200);
    await sockets.author.waitFor('post:comment', (event) => event.comment.id === note.body.id);
    await sockets.author.waitFor('post:likes', (event) => event.postId === mine.id && event.likedByMe === true);
    // The contact takes the like back: the count goes down live.
    expect((await contact.api.route(routes.unlikePost, { params: { id: shared.id } })).body).toEqual({ likes: 1, likedByMe: false, countsVersion: 6 });
    expect(await sockets.friend.waitFor('post:likes', (event) => event.postId === shared.id && event.countsVersion === 6)).toEqual({ postId: shared.id, likes: 1, countsVersion: 6 });
    await sleep(200);

    const heard = (name: keyof typeof everyone) => ({
      name,
      comments: sockets[name].of('post:comment').map((event) => event.comment.text),
      removed: sockets[name].of('post:comment:removed').map((event) => event.commentId),
      likes: sockets[name].of('post:likes').map((event) => `${event.postId === mine.id ? 'mine' : 'shared'} ${event.likes}${event.likedByMe === undefined ? '' : ` ${String(event.likedByMe)}`} v${event.countsVersion}`),
    });
    expect(heard('author')).toEqual({ name: 'author', comments: ['from Kim', 'from the friend', 'note to self'], removed: [byContact.body.id], likes: ['shared 1 v2', 'shared 2 v4', 'mine 1 true v2', 'shared 1 v6'] });
    expect(heard('contact')).toEqual({ name: 'contact', comments: ['from Kim', 'from the friend'], removed: [byContact.body.id], likes: ['shared 1 true v2', 'shared 2 v4', 'shared 1 false v6'] });
    expect(heard('friend')).toEqual({ name: 'friend', comments: ['from Kim', 'from the friend'], removed: [byContact.body.id], likes: ['shared 1 v2', 'shared 2 true v4', 'shared 1 v6'] });
    // The foe never hears of Kim (blocked by them): not the comment, its deletion, or Kim's likes.
    expect(heard('foe')).toEqual({ name: 'foe', comments: ['from the friend'], removed: [], likes: ['shared 2 v4'] });
    for (const name of ['listed', 'oneWay', 'blockedByAuthor', 'blockerOfAuthor', 'stranger'] as const) {
      expect(heard(name)).toEqual({ name, comments: [], removed: [], likes: [] });
    }
    expect(Object.values(sockets).flatMap((watcher) => watcher.invalid)).toEqual([]);
  });

  it('sends nothing live while the author is invisible', async () => {
    const { author, contact } = await cast();
    const authorSocket = watch(author);
    const contactSocket = watch(contact);
    await Promise.all([authorSocket.presence.connected(), contactSocket.presence.connected()]);
    expect(await authorSocket.presence.set({ status: 'invisible' })).toEqual({ ok: true });
    const hidden = await post(author, { kind: 'mood', text: 'while invisible', visibleTo: 'contacts' });
    await authorSocket.waitFor('post', (event) => event.id === hidden.id);
    await sleep(200);
    expect(contactSocket.of('post')).toEqual([]);
  });

  it('shows comments without those of people a block hides, and lets only the writer or the post\'s author delete one', async () => {
    const author = await newUser(server, 'author');
    const friend = await newUser(server, 'friend');
    const foe = await newUser(server, 'foe');
    await setBook(author, [friend.phone, foe.phone]);
    await setBook(friend, [author.phone]);
    await setBook(foe, [author.phone]);
    const shared = await post(author, { kind: 'diary', text: 'thoughts', visibleTo: 'contacts' });
    const byFoe = await foe.api.route<CommentView>(routes.createComment, { params: { id: shared.id }, body: { text: 'from foe' } });
    const byFriend = await friend.api.route<CommentView>(routes.createComment, { params: { id: shared.id }, body: { text: 'from friend' } });
    expect([byFoe.status, byFriend.status]).toEqual([201, 201]);
    expect((await friend.api.route(routes.block, { params: { userId: foe.id } })).status).toBe(204);
    const texts = async (viewer: PostsUser) => (await viewer.api.route<{ comments: CommentView[] }>(routes.postComments, { params: { id: shared.id } })).body.comments.map((comment) => comment.text);
    expect(await texts(friend)).toEqual(['from friend']);
    expect(await texts(foe)).toEqual(['from foe']);
    expect(await texts(author)).toEqual(['from foe', 'from friend']);
    // Someone else's comment is not the friend's to delete; the author may delete any on their post.
    expect(await status(friend, routes.deleteComment, { id: shared.id, commentId: byFoe.body.id })).toBe(404);
    expect(await status(author, routes.deleteComment, { id: shared.id, commentId: byFoe.body.id })).toBe(204);
    expect(await status(friend, routes.deleteComment, { id: shared.id, commentId: byFriend.body.id })).toBe(204);
    expect(await texts(author)).toEqual([]);
  });
});
