import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import { chunks } from '../../db/batch.js';
import type { FeedScope, NewPost, PostCounts, PostsRepository, StoredComment, StoredPost } from './posts.repository.js';
import { KyselyAlbumsStore } from './albums.kysely-store.js';
import { isAudience, isKind } from './audience-values.js';

type PostRow = Database['posts'];

/** Posts, comments, likes and the seen mark; albums live in KyselyAlbumsStore, mixed in below. */
export class KyselyPostsRepository extends KyselyAlbumsStore implements PostsRepository {
  constructor(db: Kysely<Database>) {
    super(db);
  }

  async createPost(post: NewPost): Promise<StoredPost> {
    return this.db.transaction().execute(async (trx) => {
      // The counter row is locked until commit: numbers are handed out in commit order.
      const bumped = await trx
        .updateTable('post_counter')
        .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
        .where('name', '=', 'posts')
        .returning('last_seq')
        .executeTakeFirstOrThrow();
      const seq = Number(bumped.last_seq);
      await trx
        .insertInto('posts')
        .values({ id: post.id, seq, author_id: post.authorId, kind: post.kind, text: post.text, visible_to: post.visibleTo, created_at: post.createdAt, counts_version: 0 })
        .execute();
      if (post.attachments.length > 0) {
        await trx
          .insertInto('post_attachments')
          .values(post.attachments.map((attachmentId, position) => ({ post_id: post.id, position, attachment_id: attachmentId })))
          .execute();
      }
      return { ...post, seq };
    });
  }

  async findPost(id: string): Promise<StoredPost | undefined> {
    const row = await this.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.withAttachments([row]))[0] : undefined;
  }

  async deletePost(id: string, authorId: string): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const pictures = await trx.selectFrom('post_attachments').select('attachment_id').where('post_id', '=', id).orderBy('position').execute();
      const result = await trx.deleteFrom('posts').where('id', '=', id).where('author_id', '=', authorId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0 ? pictures.map((row) => row.attachment_id) : undefined;
    });
  }

  async page(scope: FeedScope, before: number | undefined, limit: number): Promise<StoredPost[]> {
    if (isEmpty(scope)) return [];
    let query = this.db.selectFrom('posts').selectAll().where((eb) => inScope(eb, scope));
    if (before !== undefined) query = query.where('seq', '<', before);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return this.withAttachments(rows);
  }

  async countAfter(scope: FeedScope, after: number, cap: number): Promise<number> {
    if (isEmpty(scope)) return 0;
    const row = await this.db
      .selectFrom((eb) => eb.selectFrom('posts').select('id').where((inner) => inScope(inner, scope)).where('seq', '>', after).limit(cap).as('newer'))
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countsFor(postIds: string[], viewerId: string): Promise<Map<string, PostCounts>> {
    const out = new Map<string, PostCounts>();
    if (postIds.length === 0) return out;
    // One round trip for a page: counts and my like as subqueries over the two indexes.
    const rows = await this.db
      .selectFrom('posts')
      .select((eb) => [
        'posts.id',
        'posts.counts_version',
        eb.selectFrom('post_likes').select((inner) => inner.fn.countAll().as('n')).whereRef('post_likes.post_id', '=', 'posts.id').as('likes'),
        eb.selectFrom('post_comments').select((inner) => inner.fn.countAll().as('n')).whereRef('post_comments.post_id', '=', 'posts.id').as('comments'),
        eb
          .exists(eb.selectFrom('post_likes').select('post_likes.post_id').whereRef('post_likes.post_id', '=', 'posts.id').where('post_likes.user_id', '=', viewerId))
          .as('mine'),
      ])
      .where('posts.id', 'in', postIds)
      .execute();
    for (const row of rows) {
      out.set(row.id, { likes: Number(row.likes ?? 0), comments: Number(row.comments ?? 0), likedByMe: Boolean(Number(row.mine)), countsVersion: Number(row.counts_version) });
    }
    for (const id of postIds) if (!out.has(id)) out.set(id, { likes: 0, comments: 0, likedByMe: false, countsVersion: 0 });
    return out;
  }

  async addComment(comment: StoredComment, max: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Moving the version first locks the post's row until commit, so parallel comments cannot pass the cap
      // together. A refused comment moves it too: harmless, as versions only order reads.
      if (!(await bumpCountsVersion(trx, (eb) => eb('id', '=', comment.postId)))) return false;
      const { n } = await trx.selectFrom('post_comments').select((eb) => eb.fn.countAll().as('n')).where('post_id', '=', comment.postId).executeTakeFirstOrThrow();
      if (Number(n) >= max) return false;
      await trx
        .insertInto('post_comments')
        .values({ id: comment.id, post_id: comment.postId, author_id: comment.authorId, text: comment.text, created_at: comment.createdAt })
        .execute();
      return true;
    });
  }

  async comments(postId: string): Promise<StoredComment[]> {
    const rows = await this.db.selectFrom('post_comments').selectAll().where('post_id', '=', postId).orderBy('created_at').orderBy('id').execute();
    return rows.map(commentOf);
  }

  async findComment(id: string): Promise<StoredComment | undefined> {
    const row = await this.db.selectFrom('post_comments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && commentOf(row);
  }

  async deleteComment(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // The post's row first, the order deletePost takes (post, then its comments): the other order could
      // deadlock with it on PostgreSQL. A comment deleted by someone else meanwhile moves the version too.
      await bumpCountsVersion(trx, (eb) => eb('id', '=', eb.selectFrom('post_comments').select('post_id').where('id', '=', id)));
      const result = await trx.deleteFrom('post_comments').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async setLike(postId: string, userId: string, liked: boolean, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // The post's row first (a write that changes nothing locks it until commit), the order deletePost
      // takes: a like racing the post's deletion finds it gone instead of failing on the foreign key or
      // deadlocking. A like already as asked leaves the version as it is.
      if (!(await bumpCountsVersion(trx, (eb) => eb('id', '=', postId), 0))) return false;
      const changed = liked
        ? await trx
            .insertInto('post_likes')
            .values({ post_id: postId, user_id: userId, created_at: now })
            .onConflict((oc) => oc.columns(['post_id', 'user_id']).doNothing())
            .executeTakeFirst()
            .then((result) => Number(result.numInsertedOrUpdatedRows ?? 0) > 0)
        : await trx
            .deleteFrom('post_likes')
            .where('post_id', '=', postId)
            .where('user_id', '=', userId)
            .executeTakeFirst()
            .then((result) => Number(result.numDeletedRows) > 0);
      if (changed) await bumpCountsVersion(trx, (eb) => eb('id', '=', postId));
      return changed;
    });
  }

  async seenMark(userId: string): Promise<number> {
    const row = await this.db.selectFrom('feed_marks').select('seen_seq').where('user_id', '=', userId).executeTakeFirst();
    return row ? Number(row.seen_seq) : 0;
  }

  async markSeen(userId: string, upTo: number): Promise<void> {
    await this.db
      .insertInto('feed_marks')
      .values({ user_id: userId, seen_seq: upTo })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ seen_seq: sql<number>`case when excluded.seen_seq > feed_marks.seen_seq then excluded.seen_seq else feed_marks.seen_seq end` }),
      )
      .execute();
  }

  async lastSeq(): Promise<number> {
    const row = await this.db.selectFrom('post_counter').select('last_seq').where('name', '=', 'posts').executeTakeFirst();
    return row ? Number(row.last_seq) : 0;
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('post_comments').where('author_id', '=', userId).execute();
      await trx.deleteFrom('post_likes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('posts').where('author_id', '=', userId).execute();
      await trx.deleteFrom('albums').where('owner_id', '=', userId).execute();
      await trx.deleteFrom('feed_marks').where('user_id', '=', userId).execute();
    });
  }

  private async withAttachments(rows: PostRow[]): Promise<StoredPost[]> {
    const pictures = new Map<string, string[]>();
    for (const batch of chunks(rows.map((row) => row.id))) {
      if (batch.length === 0) continue;
      const links = await this.db.selectFrom('post_attachments').selectAll().where('post_id', 'in', batch).orderBy('post_id').orderBy('position').execute();
      for (const link of links) pictures.set(link.post_id, [...(pictures.get(link.post_id) ?? []), link.attachment_id]);
    }
    return rows.map((row) => ({
      id: row.id,
      seq: Number(row.seq),
      authorId: row.author_id,
      kind: isKind(row.kind) ? row.kind : 'mood',
      text: row.text,
      visibleTo: isAudience(row.visible_to) ? row.visible_to : 'private',
      attachments: pictures.get(row.id) ?? [],
      createdAt: Number(row.created_at),
    }));
  }
}

function isEmpty(scope: FeedScope): boolean {
  return scope.self === undefined && scope.contacts.length === 0 && scope.allowlist.length === 0;
}

function inScope(eb: ExpressionBuilder<Database, 'posts'>, scope: FeedScope) {
  const anyOf = [];
  if (scope.self !== undefined) anyOf.push(eb('author_id', '=', scope.self));
  if (scope.contacts.length > 0) anyOf.push(eb.and([eb('visible_to', '=', 'contacts'), eb('author_id', 'in', scope.contacts)]));
  if (scope.allowlist.length > 0) anyOf.push(eb.and([eb('visible_to', '=', 'allowlist'), eb('author_id', 'in', scope.allowlist)]));
  return eb.or(anyOf);
}

/**
 * `by` more on the counts version of the post `which` picks, locking its row until commit (`by` 0 only
 * locks it); false when there is no such post.
 */
async function bumpCountsVersion(trx: Kysely<Database>, which: (eb: ExpressionBuilder<Database, 'posts'>) => Expression<SqlBool>, by: 0 | 1 = 1): Promise<boolean> {
  const result = await trx.updateTable('posts').set((eb) => ({ counts_version: eb('counts_version', '+', by) })).where(which).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function commentOf(row: Database['post_comments']): StoredComment {
  return { id: row.id, postId: row.post_id, authorId: row.author_id, text: row.text, createdAt: Number(row.created_at) };
}
