import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { buildWebClient, chromiumAvailable, launchChromium, screenshotDir } from './support/browser.js';
import { openAppPage, type AppPage } from './support/browser-session.js';

/**
 * Issue 16 in real Chromium on a real server: Alice posts a mood with a picture from the web client; Bob,
 * her contact, sees it arrive live in his feed (on a 360 px phone), opens the picture, comments and likes;
 * Alice, her thread open, sees his comment, its deletion and the likes arrive without a reload. Carol,
 * whom Alice blocked, sees nothing of it: not in her feed, not by asking the server for Alice's posts or
 * the picture. Alice edits her profile (name, signature, avatar) and makes an album that Bob opens
 * read-only, with the viewer driven by the keyboard.
 */
const available = await chromiumAvailable();

const alice = { phone: '+8613800138161', name: 'Alice Zhang' };
const bob = { phone: '+8613800138162' };
const carol = { phone: '+8613800138163' };

type Person = AppPage & { token: string; userId: string };

async function picture(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: colour } }).png().toBuffer();
}

describe.skipIf(!available)('profile, feed, posts and albums in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let a: Person;
  let b: Person;
  let c: Person;

  async function open(session: { token: string; user: { id: string } }, width: number): Promise<Person> {
    return { ...(await openAppPage(browser, server.url, session.token, { width, height: 800 })), token: session.token, userId: session.user.id };
  }

  const nav = (person: Person) => person.page.getByRole('navigation', { name: 'Main' });
  const feedPosts = (person: Person) => person.page.getByTestId('feed').getByTestId('post');

  /**
   * Every picture under the CSS selector `scope` finished loading from a blob: URL (fetched with the
   * session). An expression string, since the test project has no DOM types; it runs in the page.
   */
  async function picturesLoaded(page: Page, scope: string): Promise<boolean> {
    const images = `[...document.querySelectorAll(${JSON.stringify(`${scope} img.picture`)})]`;
    return (await page.evaluate(`${images}.length > 0 && ${images}.every((image) => image.complete && image.naturalWidth > 0 && image.src.startsWith('blob:'))`)) === true;
  }

  /** Every row of one table of the page's saved copy (IndexedDB `switchboard`), or null before it exists. */
  async function savedRows<Row>(page: Page, table: string): Promise<Row[] | null> {
    return (await page.evaluate(`new Promise((resolve, reject) => {
      const opening = indexedDB.open('switchboard');
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains(${JSON.stringify(table)})) { db.close(); resolve(null); return; }
        const reading = db.transaction(${JSON.stringify(table)}).objectStore(${JSON.stringify(table)}).getAll();
        reading.onerror = () => reject(reading.error);
        reading.onsuccess = () => {
          db.close();
          resolve(reading.result);
        };
      };
    })`)) as Row[] | null;
  }

  /** The posts this browser saved for the feed, newest first; null when there is no such table. */
  async function savedFeed(page: Page): Promise<{ text: string; commentCount: number; likeCount: number; likedByMe: boolean }[] | null> {
    const posts = await savedRows<{ seq: number; text: string; commentCount: number; likeCount: number; likedByMe: boolean }>(page, 'feedPosts');
    return posts && posts.sort((x, y) => y.seq - x.seq).map((post) => ({ text: post.text, commentCount: post.commentCount, likeCount: post.likeCount, likedByMe: post.likedByMe }));
  }

  /** The texts of the comments of one post in the page's saved copy, oldest first. */
  async function savedComments(page: Page, postId: string): Promise<string[] | null> {
    const comments = await savedRows<{ postId: string; text: string; createdAt: string }>(page, 'feedComments');
    return comments && comments.filter((comment) => comment.postId === postId).sort((x, y) => (x.createdAt < y.createdAt ? -1 : 1)).map((comment) => comment.text);
  }

  async function noSidewaysScroll(page: Page): Promise<boolean> {
    return (await page.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth')) as boolean;
  }

  beforeAll(async () => {
    await buildWebClient();
    // Two likes or unlikes an hour each, so Bob's third says which limit he met and when it lifts.
    server = await startTestServer({ env: { POST_LIKES_PER_HOUR: '2' } });
    browser = await launchChromium();
    const aliceSession = await signIn(server.api, alice.phone, testDevice('Alice laptop'));
    const bobSession = await signIn(server.api, bob.phone, testDevice('Bob phone'));
    const carolSession = await signIn(server.api, carol.phone, testDevice('Carol phone'));
    // Alice has both numbers and each has hers: both are her contacts. Then Alice blocks Carol.
    const book = (entries: { ref: string; phone: string }[]) => ({ body: { entries: entries.map((entry) => ({ ref: entry.ref, phones: [entry.phone] })) } });
    expect((await server.api.withToken(aliceSession.token).route(routes.replaceAddressBook, book([{ ref: 'bob', phone: bob.phone }, { ref: 'carol', phone: carol.phone }]))).status).toBe(200);
    expect((await server.api.withToken(bobSession.token).route(routes.replaceAddressBook, book([{ ref: 'alice', phone: alice.phone }]))).status).toBe(200);
    expect((await server.api.withToken(carolSession.token).route(routes.replaceAddressBook, book([{ ref: 'alice', phone: alice.phone }]))).status).toBe(200);
    expect((await server.api.withToken(aliceSession.token).route(routes.block, { params: { userId: carolSession.user.id } })).status).toBe(204);
    a = await open(aliceSession, 1280);
    b = await open(bobSession, 360);
    c = await open(carolSession, 360);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('Alice publishes her profile: display name, signature beside her status, and an avatar with its preview', async () => {
    await nav(a).getByRole('button', { name: 'Feed' }).click();
    await a.page.getByRole('button', { name: 'My profile' }).click();
    await a.page.getByRole('heading', { name: 'My profile', level: 1 }).waitFor();
    await a.page.getByLabel('Display name').fill(alice.name);
    await a.page.getByLabel('Signature').fill('Tea first, then the world');
    await a.page.getByText('No status text').waitFor();
    await a.page.getByLabel('Profile picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await picture('#d04a7a') });
    // The server's thumbnail of the upload, once it is made (a placeholder with the same name holds its place).
    await a.page.locator('img[alt="Your new profile picture"]').waitFor();
    await expect.poll(() => picturesLoaded(a.page, '.profile-avatar-edit')).toBe(true);
    await a.page.getByRole('button', { name: 'Save', exact: true }).click();
    await a.page.getByText('Saved.').waitFor();
    const saved = await server.api.withToken(a.token).route<{ displayName?: string; signature?: string; avatarAttachmentId?: string }>(routes.myProfile);
    expect(saved.body).toMatchObject({ displayName: alice.name, signature: 'Tea first, then the world' });
    expect(saved.body.avatarAttachmentId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('Alice posts a mood with a picture; Bob sees it arrive live on his phone; Carol, blocked, sees nothing', async () => {
    await nav(b).getByRole('button', { name: 'Feed' }).click();
    await b.page.getByRole('heading', { name: 'No posts yet' }).waitFor();
    await nav(c).getByRole('button', { name: 'Feed' }).click();
    await c.page.getByRole('heading', { name: 'No posts yet' }).waitFor();

    await nav(a).getByRole('button', { name: 'Feed' }).click();
    await a.page.getByRole('radio', { name: 'Mood' }).check();
    await a.page.getByLabel('How do you feel?').fill('Sunny morning at the lake');
    await a.page.getByLabel('Add pictures').setInputFiles({ name: 'lake.png', mimeType: 'image/png', buffer: await picture('#3a86c8') });
    expect(await a.page.getByLabel('Who can see it').inputValue()).toBe('contacts');
    await a.page.getByRole('button', { name: 'Post', exact: true }).click();
    await a.page.getByText('Posted.').waitFor();

    // Bob did nothing: the post arrives over the socket, at the top, with Alice's published name.
    const post = feedPosts(b).first();
    await post.getByText('Sunny morning at the lake').waitFor();
    expect(await post.getByRole('heading').textContent()).toBe(alice.name);
    const postId = await post.getAttribute('data-post-id');
    await expect.poll(() => picturesLoaded(b.page, `[data-post-id="${postId}"]`)).toBe(true);
    expect(await noSidewaysScroll(b.page)).toBe(true);

    // The picture opens in the viewer; Escape closes it and gives focus back to the thumbnail.
    const thumbnail = post.getByRole('button', { name: 'Open picture 1 of 1' });
    await thumbnail.click();
    const viewer = b.page.getByRole('dialog', { name: `Pictures of the post by ${alice.name}` });
    await viewer.waitFor();
    await expect.poll(() => picturesLoaded(b.page, '.viewer')).toBe(true);
    await b.page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await b.page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe('Open picture 1 of 1');

    // Carol's feed stays empty, live and after a fresh load; the server refuses her Alice's posts and picture.
    await nav(c).getByRole('button', { name: 'Contacts' }).click();
    await nav(c).getByRole('button', { name: 'Feed' }).click();
    await c.page.getByRole('heading', { name: 'No posts yet' }).waitFor();
    expect(await c.page.getByTestId('post').count()).toBe(0);
    expect(await c.page.getByTestId('new-posts-badge').count()).toBe(0);
    const carolApi = server.api.withToken(c.token);
    expect((await carolApi.route(routes.userPosts, { params: { userId: a.userId } })).status).toBe(404);
    expect((await carolApi.route(routes.post, { params: { id: postId ?? '' } })).status).toBe(404);
    const aliceView = await server.api.withToken(a.token).route<{ attachments: string[] }>(routes.post, { params: { id: postId ?? '' } });
    const pictureId = aliceView.body.attachments[0] ?? '';
    expect((await carolApi.route(routes.attachment, { params: { id: pictureId } })).status).toBe(404);
    expect(c.problems).toEqual([]);
  });

  it('Bob comments and likes; Alice, her thread open, sees both arrive live, and each keeps their own like', async () => {
    // Alice opens the comments of her post before anyone has written one, and does not reload again.
    const mine = feedPosts(a).filter({ hasText: 'Sunny morning at the lake' });
    await mine.getByRole('button', { name: 'Add a comment' }).click();
    await mine.getByText('No comments yet.').waitFor();

    const post = feedPosts(b).first();
    await post.getByRole('button', { name: 'Add a comment' }).click();
    await post.getByText('No comments yet.').waitFor();
    await post.getByRole('textbox', { name: 'Write a comment' }).fill('Looks lovely!');
    await post.getByRole('button', { name: 'Send' }).click();
    await post.getByTestId('comment').filter({ hasText: 'Looks lovely!' }).waitFor();
    await post.getByRole('button', { name: 'Like · No likes' }).click();
    await post.getByRole('button', { name: 'Liked · 1 like' }).waitFor();

    const comment = mine.getByTestId('comment').filter({ hasText: 'Looks lovely!' });
    await comment.waitFor();
    // Alice has Bob's number but no name for him on this browser: the number stands for him.
    expect(await comment.locator('.comment-author').textContent()).toBe('+86\u00a0138\u00a00013\u00a08162');
    await mine.getByRole('button', { name: 'Like · 1 like' }).waitFor();
    await mine.getByRole('button', { name: '1 comment' }).waitFor();
    // Screen readers hear of it once, in the thread's status line.
    expect(await mine.getByRole('status').textContent()).toBe('1 new comment arrived.');
    // Bob's own comment came back to him by push as well as in the answer: still one, counted once.
    await b.page.waitForTimeout(300);
    expect(await post.getByTestId('comment').count()).toBe(1);
    await post.getByRole('button', { name: '1 comment' }).waitFor();

    // Alice likes it too; then Bob takes his like back. The count follows on both sides, and neither's
    // own "Liked" moves with the other's.
    await mine.getByRole('button', { name: 'Like · 1 like' }).click();
    await mine.getByRole('button', { name: 'Liked · 2 likes' }).waitFor();
    await post.getByRole('button', { name: 'Liked · 2 likes' }).waitFor();
    await post.getByRole('button', { name: 'Liked · 2 likes' }).click();
    await post.getByRole('button', { name: 'Like · 1 like' }).waitFor();
    await mine.getByRole('button', { name: 'Liked · 1 like' }).waitFor();
    // A third is over his budget for this clock hour: the like goes back, and the words say which limit and
    // for how long.
    await post.getByRole('button', { name: 'Like · 1 like' }).click();
    await post.getByRole('alert').filter({ hasText: /^You have liked and unliked a lot of posts this hour\. You can like again in (1 minute|\d+ minutes)\.$/ }).waitFor();
    await post.getByRole('button', { name: 'Like · 1 like' }).waitFor();

    // A comment Bob deletes leaves Alice's open thread as it came.
    await post.getByRole('textbox', { name: 'Write a comment' }).fill('Oops, wrong post');
    await post.getByRole('button', { name: 'Send' }).click();
    const oops = mine.getByTestId('comment').filter({ hasText: 'Oops, wrong post' });
    await oops.waitFor();
    await mine.getByRole('button', { name: '2 comments' }).waitFor();
    await post.getByRole('button', { name: 'Delete the comment by Me' }).last().click();
    await oops.waitFor({ state: 'detached' });
    await mine.getByRole('button', { name: '1 comment' }).waitFor();
    expect(await mine.getByTestId('comment').allTextContents()).toEqual([expect.stringContaining('Looks lovely!')]);
    expect(await post.getByTestId('comment').count()).toBe(1);
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });

  it('a post arriving while Bob looks elsewhere lights the badge; a deleted post leaves his feed live', async () => {
    await nav(b).getByRole('button', { name: 'Contacts' }).click();
    await a.page.getByRole('radio', { name: 'Diary' }).check();
    await a.page.getByLabel('Your diary entry').fill('Dear diary: the ducks were back.');
    await a.page.getByRole('button', { name: 'Post', exact: true }).click();
    await a.page.getByText('Posted.').waitFor();

    // The badge reads "1" and its accessible name says what it counts.
    const feedTab = nav(b).getByRole('button', { name: 'Feed 1 new post', exact: true });
    await feedTab.waitFor();
    expect(await b.page.getByTestId('new-posts-badge').textContent()).toBe('1');
    await feedTab.click();
    await feedPosts(b).first().getByText('Dear diary: the ducks were back.').waitFor();
    expect(await b.page.getByTestId('new-posts-badge').count()).toBe(0);
    // Seen here means seen on the server too: the badge's count starts from zero on his next device.
    await expect.poll(async () => (await server.api.withToken(b.token).route<{ count: number }>(routes.feedUnseen)).body.count).toBe(0);

    const diary = feedPosts(a).filter({ hasText: 'Dear diary' });
    await diary.getByRole('button', { name: 'Delete post' }).click();
    await diary.getByRole('button', { name: 'Delete', exact: true }).click();
    await feedPosts(b).filter({ hasText: 'Dear diary' }).waitFor({ state: 'detached' });
    expect(await feedPosts(b).count()).toBe(1);
  });

  it('Alice makes an album; Bob opens her profile from the post, read-only, and walks the album with the keyboard', async () => {
    await a.page.getByRole('button', { name: 'My profile' }).click();
    await a.page.getByLabel('Album title').fill('The lake');
    await a.page.getByRole('button', { name: 'Create album' }).click();
    const album = a.page.getByTestId('album');
    await album.getByRole('heading', { name: 'The lake' }).waitFor();
    await album.getByLabel('Add photos').setInputFiles([
      { name: 'one.png', mimeType: 'image/png', buffer: await picture('#2e9e6b') },
      { name: 'two.png', mimeType: 'image/png', buffer: await picture('#e0a030') },
    ]);
    await album.getByLabel('Caption of photo 1 (optional)').fill('Morning mist');
    await album.getByLabel('Caption of photo 2 (optional)').fill('Ducks at noon');
    await album.getByRole('button', { name: 'Add to the album' }).click();
    await album.getByText('2 photos added.').waitFor();
    await album.getByText('Ducks at noon').waitFor();

    await feedPosts(b).first().getByRole('button', { name: alice.name }).click();
    await b.page.getByRole('heading', { name: `Profile of ${alice.name}`, level: 1 }).waitFor();
    const card = b.page.getByTestId('profile-card');
    await card.getByText('Tea first, then the world').waitFor();
    await expect.poll(() => picturesLoaded(b.page, '[data-testid="profile-card"]')).toBe(true);
    expect(await b.page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    expect(await b.page.getByLabel('Album title').count()).toBe(0);
    await b.page.getByRole('button', { name: 'Open the album The lake' }).click();
    const bobsAlbum = b.page.getByTestId('album');
    await bobsAlbum.getByText('Morning mist').waitFor();
    expect(await bobsAlbum.getByLabel('Add photos').count()).toBe(0);
    await bobsAlbum.getByRole('button', { name: 'Photo 1 of 2' }).click();
    const viewer = b.page.getByRole('dialog', { name: 'The lake' });
    await viewer.getByText('1 of 2').waitFor();
    await viewer.getByText('Morning mist').waitFor();
    await b.page.keyboard.press('ArrowRight');
    await viewer.getByText('2 of 2').waitFor();
    await viewer.getByText('Ducks at noon').waitFor();
    await expect.poll(() => picturesLoaded(b.page, '.viewer')).toBe(true);
    await b.page.keyboard.press('ArrowRight');
    await viewer.getByText('1 of 2').waitFor();
    await b.page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await noSidewaysScroll(b.page)).toBe(true);
    // Carol is refused the album list, as everything else of Alice's.
    expect((await server.api.withToken(c.token).route(routes.userAlbums, { params: { userId: a.userId } })).status).toBe(404);
  });

  it("opens a contact's profile from their contact card, and Back returns to the card", async () => {
    await b.page.getByRole('button', { name: 'Back' }).click();
    await nav(b).getByRole('button', { name: 'Contacts' }).click();
    await b.page.getByRole('grid').getByRole('row').filter({ hasText: '+86\u00a0138\u00a00013\u00a08161' }).getByRole('button').first().click();
    const card = b.page.getByRole('dialog');
    await card.getByRole('button', { name: 'View profile' }).click();
    await b.page.getByRole('heading', { name: `Profile of ${alice.name}`, level: 1 }).waitFor();
    await b.page.getByTestId('post').filter({ hasText: 'Sunny morning at the lake' }).waitFor();
    await b.page.getByRole('button', { name: 'Back' }).click();
    await card.getByRole('button', { name: 'View profile' }).waitFor();
    await b.page.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });
  });

  it('reads in Chinese, in light and dark, at 360 px, with nothing wider than the phone', async () => {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await nav(b).getByRole('button', { name: /^Feed/ }).click();
    for (const scheme of ['light', 'dark'] as const) {
      await b.page.emulateMedia({ colorScheme: scheme });
      await b.page.screenshot({ path: path.join(screenshotDir, `feed-360-${scheme}-en.png`), fullPage: true });
    }
    // Alice is still on her profile, with the album open.
    await a.page.screenshot({ path: path.join(screenshotDir, 'profile-1280-light-en.png') });
    await b.page.emulateMedia({ colorScheme: 'light' });
    await b.page.evaluate("document.querySelector('main').scrollTo(0, 0)");
    await b.page.screenshot({ path: path.join(screenshotDir, 'feed-360-top-light-en.png') });
    await b.page.emulateMedia({ colorScheme: 'dark' });
    await b.page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await b.page.getByRole('heading', { name: '动态', level: 1 }).waitFor();
    await feedPosts(b).first().getByRole('button', { name: '1 条评论' }).waitFor();
    await b.page.getByRole('heading', { name: '发布动态' }).waitFor();
    expect(await noSidewaysScroll(b.page)).toBe(true);
    await b.page.screenshot({ path: path.join(screenshotDir, `feed-360-dark-zh.png`), fullPage: true });
    await b.page.emulateMedia({ colorScheme: 'light' });
    await b.page.getByRole('combobox', { name: '语言' }).selectOption('en');
    expect(b.problems).toEqual([]);
  });

  it('pages by cursor: the next page loads as the end of the feed comes into view, with no post twice', async () => {
    // 24 more moods from Alice (with her first one, 25: one page of 20 and a rest).
    const aliceApi = server.api.withToken(a.token);
    for (let index = 1; index <= 24; index += 1) {
      expect((await aliceApi.route(routes.createPost, { body: { kind: 'mood', text: `Mood number ${index}` } })).status).toBe(201);
    }
    await b.page.reload();
    await nav(b).getByRole('button', { name: /^Feed/ }).click();
    await feedPosts(b).first().getByText('Mood number 24').waitFor();
    expect(await feedPosts(b).count()).toBe(20);
    await b.page.locator('.feed-end').scrollIntoViewIfNeeded();
    await b.page.getByText('You have seen every post.').waitFor();
    const texts = await b.page.getByTestId('feed').locator('.post-text').allTextContents();
    expect(texts).toHaveLength(25);
    expect(new Set(texts).size).toBe(25);
    expect(texts[0]).toBe('Mood number 24');
    expect(texts.at(-1)).toBe('Sunny morning at the lake');
  });

  it('keeps the feed on the device: a reload offline shows the saved posts, live counts included; back online it catches up; sign-out leaves nothing', async () => {
    // Bob's feed holds Alice's 25 posts (the test above paged to the end). Alice comments on and likes her
    // newest while Bob looks: the counts arrive live, and the saved copy takes them.
    const aliceApi = server.api.withToken(a.token);
    const newest = feedPosts(b).filter({ hasText: 'Mood number 24' });
    const newestId = (await newest.getAttribute('data-post-id')) ?? '';
    expect((await aliceApi.route(routes.createComment, { params: { id: newestId }, body: { text: 'Still sunny' } })).status).toBe(201);
    expect((await aliceApi.route(routes.likePost, { params: { id: newestId } })).status).toBe(200);
    await newest.getByRole('button', { name: 'Like · 1 like' }).waitFor();
    await newest.getByRole('button', { name: '1 comment' }).waitFor();
    const shownOnline = await b.page.getByTestId('feed').locator('.post-text').allTextContents();
    expect(shownOnline).toHaveLength(25);
    await expect.poll(async () => (await savedFeed(b.page))?.[0]).toEqual({ text: 'Mood number 24', commentCount: 1, likeCount: 1, likedByMe: false });
    // Bob reads the comments once: the thread is saved with the post.
    await newest.getByRole('button', { name: '1 comment' }).click();
    await newest.getByTestId('comment').filter({ hasText: 'Still sunny' }).waitFor();
    await expect.poll(async () => savedComments(b.page, newestId)).toEqual(['Still sunny']);

    // The connection goes and the page reloads (the service worker serves the app): the same posts, from
    // the saved copy, with the live counts, and a calm note instead of an error.
    await b.context.setOffline(true);
    await b.page.reload();
    await nav(b).getByRole('button', { name: /^Feed/ }).click();
    const note = b.page.getByTestId('feed-offline-note');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.textContent()).toBe('You are offline. These are the posts this device saved, so they may be out of date; new posts will come when the connection is back.');
    expect(await b.page.getByTestId('feed').locator('.post-text').allTextContents()).toEqual(shownOnline);
    const savedNewest = feedPosts(b).filter({ hasText: 'Mood number 24' });
    await savedNewest.getByRole('button', { name: 'Like · 1 like' }).waitFor();
    await savedNewest.getByRole('button', { name: '1 comment' }).waitFor();
    expect(await feedPosts(b).first().getByRole('heading').textContent()).toBe(alice.name);
    // Nothing claims the feed ended or failed: the copy has no cursor, and being offline is not an error.
    expect(await b.page.getByText('You have seen every post.').count()).toBe(0);
    expect(await b.page.getByRole('alert').count()).toBe(0);
    // The thread he read opens from the copy too, with a calm note; still no error.
    await savedNewest.getByRole('button', { name: '1 comment' }).click();
    await savedNewest.getByTestId('comment').filter({ hasText: 'Still sunny' }).waitFor();
    expect(await savedNewest.getByTestId('comments-offline-note').textContent()).toBe('You are offline. These are the comments this device saved, so they may be out of date.');
    expect(await b.page.getByRole('alert').count()).toBe(0);

    // A like needs the server: it is refused in words at once, and the count does not move.
    await savedNewest.getByRole('button', { name: 'Like · 1 like' }).click();
    const refusal = savedNewest.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-error-code')).toBe('needs_connection');
    expect(await refusal.textContent()).toBe('You are offline. Posting, commenting and liking need a connection; try again when it is back.');
    await savedNewest.getByRole('button', { name: 'Like · 1 like' }).waitFor();

    // Meanwhile Alice deletes a post and writes a new one. Back online, the server's first page replaces the copy.
    // Alice also deletes her comment: the saved copy still shows it until the thread is read again.
    const gone = (await feedPosts(b).filter({ hasText: 'Mood number 23' }).getAttribute('data-post-id')) ?? '';
    expect((await aliceApi.route(routes.deletePost, { params: { id: gone } })).status).toBe(204);
    const stillSunny = (await aliceApi.route<{ comments: { id: string }[] }>(routes.postComments, { params: { id: newestId } })).body.comments[0]?.id ?? '';
    expect((await aliceApi.route(routes.deleteComment, { params: { id: newestId, commentId: stillSunny } })).status).toBe(204);
    expect((await aliceApi.route(routes.createPost, { body: { kind: 'mood', text: 'Back from the lake' } })).status).toBe(201);
    await b.context.setOffline(false);
    await feedPosts(b).first().getByText('Back from the lake').waitFor({ timeout: 20_000 });
    await note.waitFor({ state: 'detached' });
    await feedPosts(b).filter({ hasText: 'Mood number 23' }).waitFor({ state: 'detached' });
    // The open thread is read again on reconnecting: the deleted comment goes, here and from the copy.
    await savedNewest.getByTestId('comment').waitFor({ state: 'detached' });
    await savedNewest.getByText('No comments yet.').waitFor();
    await expect.poll(async () => savedComments(b.page, newestId)).toEqual([]);
    await expect.poll(async () => (await savedFeed(b.page))?.slice(0, 2).map((post) => post.text)).toEqual(['Back from the lake', 'Mood number 24']);
    expect((await savedFeed(b.page))?.some((post) => post.text === 'Mood number 23')).toBe(false);
    // The Feed now shows the first page only (20 posts); the saved posts older than it stay for the next
    // time without a connection: 25 in all (one deleted, one new), the oldest one too.
    await expect.poll(async () => (await savedFeed(b.page))?.length).toBe(25);
    expect((await savedFeed(b.page))?.at(-1)?.text).toBe(shownOnline.at(-1));

    // Signing out on purpose wipes the saved feed with the rest of this device's copy.
    await b.page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect.poll(async () => (await savedFeed(b.page))?.length).toBe(0);
    expect(b.problems).toEqual([]);
  }, 90_000);
});
