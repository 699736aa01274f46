import { sql, type Kysely } from 'kysely';

/**
 * Profiles, posts with pictures, comments, likes, the feed's seen mark and albums (issue 16). Posts are
 * numbered from one counter row, bumped in the transaction that inserts the post: numbers are handed out
 * in commit order on both SQLite and PostgreSQL, so a feed cursor (a number) is stable under concurrent
 * posting and "newer than my mark" counts exactly. Feeds read the (author_id, seq) index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('profiles')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('display_name', 'text')
    .addColumn('signature', 'text')
    .addColumn('avatar_attachment_id', 'text', (c) => c.references('attachments.id').onDelete('set null'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('profiles_avatar').on('profiles').column('avatar_attachment_id').execute();

  await db.schema
    .createTable('post_counter')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into post_counter (name, last_seq) values ('posts', 0)`.execute(db);

  await db.schema
    .createTable('posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('visible_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('posts_author_seq').on('posts').columns(['author_id', 'seq']).execute();

  await db.schema
    .createTable('post_attachments')
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('attachment_id', 'text', (c) => c.notNull().references('attachments.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('post_attachments_pk', ['post_id', 'position'])
    .execute();
  await db.schema.createIndex('post_attachments_attachment').on('post_attachments').column('attachment_id').execute();

  await db.schema
    .createTable('post_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('post_comments_post').on('post_comments').columns(['post_id', 'created_at']).execute();
  await db.schema.createIndex('post_comments_author').on('post_comments').column('author_id').execute();

  await db.schema
    .createTable('post_likes')
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_likes_pk', ['post_id', 'user_id'])
    .execute();
  await db.schema.createIndex('post_likes_user').on('post_likes').column('user_id').execute();

  await db.schema
    .createTable('feed_marks')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('seen_seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('albums')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('visible_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('albums_owner').on('albums').columns(['owner_id', 'created_at']).execute();

  await db.schema
    .createTable('album_photos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('album_id', 'text', (c) => c.notNull().references('albums.id').onDelete('cascade'))
    .addColumn('attachment_id', 'text', (c) => c.notNull().references('attachments.id').onDelete('cascade'))
    .addColumn('caption', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('album_photos_album').on('album_photos').columns(['album_id', 'created_at']).execute();
  await db.schema.createIndex('album_photos_attachment').on('album_photos').column('attachment_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['album_photos', 'albums', 'feed_marks', 'post_likes', 'post_comments', 'post_attachments', 'posts', 'post_counter', 'profiles']) {
    await db.schema.dropTable(table).execute();
  }
}
