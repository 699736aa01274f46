import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import type { PostView } from '#common/contract/posts.js';
import type { TestServer } from '../support/test-server.js';
import { newUser, postBackends, setBook, startPostsServer } from '../support/posts.js';

type ErrorAnswer = { error: { code: string; retryAfter?: number } };

/**
 * What one person may publish an hour. Every like or unlike that changes something is pushed live to
 * the post's whole audience, so a toggling loop is held to a budget of its own (POST_LIKES_PER_HOUR),
 * counted atomically however many requests arrive at once (Redis on PostgreSQL, in memory on SQLite).
 */
describe.each(postBackends)('post limits on $name', (backend) => {
  let server: TestServer;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ server, drop } = await startPostsServer(backend, 'posts-limits', { POST_LIKES_PER_HOUR: '3' }));
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('holds likes to the hourly budget, counted once per request even in parallel, and says when to retry', async () => {
    const author = await newUser(server, 'author');
    const fan = await newUser(server, 'fan');
    await setBook(author, [fan.phone]);
    await setBook(fan, [author.phone]);
    const posts: PostView[] = [];
    for (let n = 0; n < 8; n++) posts.push((await author.api.route<PostView>(routes.createPost, { body: { kind: 'mood', text: `post ${n}`, visibleTo: 'contacts' } })).body);

    const answers = await Promise.all(posts.map((post) => fan.api.route(routes.likePost, { params: { id: post.id } })));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(5);
    for (const answer of refused) expect((answer.body as ErrorAnswer).error).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) as number });
    // An unlike counts too: the budget is spent.
    const liked = posts[answers.findIndex((answer) => answer.status === 200)] as PostView;
    expect((await fan.api.route(routes.unlikePost, { params: { id: liked.id } })).status).toBe(429);
    // The likes that went through are there; the author's own budget is untouched.
    const counts = await Promise.all(posts.map(async (post) => (await author.api.route<PostView>(routes.post, { params: { id: post.id } })).body.likes));
    expect(counts.reduce((sum, likes) => sum + likes, 0)).toBe(3);
    expect((await author.api.route(routes.likePost, { params: { id: liked.id } })).status).toBe(200);
  });
});
