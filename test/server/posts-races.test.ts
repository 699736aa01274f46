import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { CommentView, LikeState, PostView } from '#common/contract/posts.js';
import type { TestServer } from '../support/test-server.js';
import { newUser, postBackends, setBook, startPostsServer, type PostsUser } from '../support/posts.js';

/**
 * Likes, comments and deletions of one post arriving all at once. Each change moves the post's counts
 * version in its own transaction, so the version counts the changes exactly; and the writes take the
 * post's row in the order a deletion of the post does, so none of them deadlocks with it on PostgreSQL
 * (a deadlock would answer 500 after PostgreSQL's detection timeout).
 */
describe.each(postBackends)('posts under parallel writes on $name', (backend) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;
  let author: PostsUser;
  const fans: PostsUser[] = [];

  beforeAll(async () => {
    ({ server, drop } = await startPostsServer(backend, 'posts-races'));
    author = await newUser(server, 'author');
    for (let n = 0; n < 8; n++) fans.push(await newUser(server, `fan ${n}`));
    await setBook(author, fans.map((fan) => fan.phone));
    for (const fan of fans) await setBook(fan, [author.phone]);
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  const publish = async (text: string) => (await author.api.route<PostView>(routes.createPost, { body: { kind: 'mood', text, visibleTo: 'contacts' } })).body;

  it('counts every change once in the version, whatever arrives together', async () => {
    const post = await publish('everyone at once');
    const early = await Promise.all(fans.slice(0, 4).map((fan) => fan.api.route<CommentView>(routes.createComment, { params: { id: post.id }, body: { text: `hello from ${fan.phone}` } })));
    // All at once: 8 likes, 4 more comments, the 4 earlier comments deleted by the author, and 3 fans
    // liking twice (the second changes nothing and moves nothing).
    const answers = await Promise.all([
      ...fans.map((fan) => fan.api.route<LikeState>(routes.likePost, { params: { id: post.id } })),
      ...fans.slice(4).map((fan) => fan.api.route(routes.createComment, { params: { id: post.id }, body: { text: 'late' } })),
      ...early.map((comment) => author.api.route(routes.deleteComment, { params: { id: post.id, commentId: comment.body.id } })),
      ...fans.slice(0, 3).map((fan) => fan.api.route<LikeState>(routes.likePost, { params: { id: post.id } })),
    ]);
    expect(answers.map((answer) => answer.status).filter((status) => ![200, 201, 204].includes(status))).toEqual([]);
    const read = (await author.api.route<PostView>(routes.post, { params: { id: post.id } })).body;
    // 4 comments, then 8 likes, 4 comments and 4 deletions that each changed something.
    expect(read).toMatchObject({ likes: 8, comments: 4, countsVersion: 4 + 8 + 4 + 4 });
  });

  it('deletes a post while it is liked, commented and its comments deleted, without a deadlock or a failure', async () => {
    for (let round = 0; round < 20; round++) {
      const post = await publish(`going ${round}`);
      const comments = await Promise.all(fans.slice(0, 3).map((fan) => fan.api.route<CommentView>(routes.createComment, { params: { id: post.id }, body: { text: 'soon gone' } })));
      const answers = await Promise.all([
        ...fans.map((fan) => fan.api.route(routes.likePost, { params: { id: post.id } })),
        ...comments.map((comment) => author.api.route(routes.deleteComment, { params: { id: post.id, commentId: comment.body.id } })),
        author.api.route(routes.deletePost, { params: { id: post.id } }),
        ...fans.slice(3).map((fan) => fan.api.route(routes.createComment, { params: { id: post.id }, body: { text: 'too late?' } })),
      ]);
      // Each either happened before the deletion or finds the post gone; nothing fails.
      expect(answers.map((answer) => answer.status).filter((status) => ![200, 201, 204, 404].includes(status))).toEqual([]);
      expect((await author.api.route(routes.post, { params: { id: post.id } })).status).toBe(404);
    }
  });
});
