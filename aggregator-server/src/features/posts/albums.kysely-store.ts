import type { Kysely } from 'kysely';
import type { PostAudience } from '#common/contract/posts.js';
import type { Database } from '../../db/schema.js';
import type { AlbumSummary, FileShowing, StoredAlbum, StoredPhoto } from './posts.repository.js';
import { isAudience } from './audience-values.js';

/** Albums and their photos, and which posts or albums show a file: the album half of the posts repository. */
export class KyselyAlbumsStore {
  constructor(protected readonly db: Kysely<Database>) {}

  async createAlbum(album: StoredAlbum, max: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // A no-op write locks the owner's row until commit, so parallel requests cannot pass the cap together.
      await trx.updateTable('users').set((eb) => ({ type: eb.ref('type') })).where('id', '=', album.ownerId).execute();
      const { n } = await trx.selectFrom('albums').select((eb) => eb.fn.countAll().as('n')).where('owner_id', '=', album.ownerId).executeTakeFirstOrThrow();
      if (Number(n) >= max) return false;
      await trx
        .insertInto('albums')
        .values({ id: album.id, owner_id: album.ownerId, title: album.title, visible_to: album.visibleTo, created_at: album.createdAt })
        .execute();
      return true;
    });
  }

  async findAlbum(id: string): Promise<StoredAlbum | undefined> {
    const row = await this.db.selectFrom('albums').selectAll().where('id', '=', id).executeTakeFirst();
    return row && albumOf(row);
  }

  async albumsOf(ownerId: string, audiences: PostAudience[] | 'all'): Promise<AlbumSummary[]> {
    if (audiences !== 'all' && audiences.length === 0) return [];
    let query = this.db
      .selectFrom('albums')
      .selectAll('albums')
      .select((eb) => [
        eb.selectFrom('album_photos').select((inner) => inner.fn.countAll().as('n')).whereRef('album_photos.album_id', '=', 'albums.id').as('photo_count'),
        eb
          .selectFrom('album_photos')
          .select('album_photos.attachment_id')
          .whereRef('album_photos.album_id', '=', 'albums.id')
          .orderBy('album_photos.created_at', 'desc')
          .orderBy('album_photos.id', 'desc')
          .limit(1)
          .as('cover'),
      ])
      .where('owner_id', '=', ownerId);
    if (audiences !== 'all') query = query.where('visible_to', 'in', audiences);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map((row) => ({ ...albumOf(row), photoCount: Number(row.photo_count ?? 0), coverAttachmentId: row.cover ?? undefined }));
  }

  async deleteAlbum(id: string, ownerId: string): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const photos = await trx.selectFrom('album_photos').select('attachment_id').where('album_id', '=', id).execute();
      const result = await trx.deleteFrom('albums').where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0 ? photos.map((row) => row.attachment_id) : undefined;
    });
  }

  async addPhoto(photo: StoredPhoto, max: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Locks the album's row (a no-op write) so that parallel additions cannot pass the cap together.
      const locked = await trx.updateTable('albums').set((eb) => ({ title: eb.ref('title') })).where('id', '=', photo.albumId).executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) return false;
      const { n } = await trx.selectFrom('album_photos').select((eb) => eb.fn.countAll().as('n')).where('album_id', '=', photo.albumId).executeTakeFirstOrThrow();
      if (Number(n) >= max) return false;
      await trx
        .insertInto('album_photos')
        .values({ id: photo.id, album_id: photo.albumId, attachment_id: photo.attachmentId, caption: photo.caption, created_at: photo.createdAt })
        .execute();
      return true;
    });
  }

  async photos(albumId: string): Promise<StoredPhoto[]> {
    const rows = await this.db.selectFrom('album_photos').selectAll().where('album_id', '=', albumId).orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => ({ id: row.id, albumId: row.album_id, attachmentId: row.attachment_id, caption: row.caption, createdAt: Number(row.created_at) }));
  }

  async deletePhoto(albumId: string, photoId: string): Promise<string | undefined> {
    const row = await this.db.deleteFrom('album_photos').where('id', '=', photoId).where('album_id', '=', albumId).returning('attachment_id').executeTakeFirst();
    return row?.attachment_id;
  }

  async showingsOf(attachmentId: string): Promise<FileShowing[]> {
    const [posts, albums] = await Promise.all([
      this.db
        .selectFrom('post_attachments')
        .innerJoin('posts', 'posts.id', 'post_attachments.post_id')
        .select(['posts.author_id as owner', 'posts.visible_to as audience'])
        .where('post_attachments.attachment_id', '=', attachmentId)
        .execute(),
      this.db
        .selectFrom('album_photos')
        .innerJoin('albums', 'albums.id', 'album_photos.album_id')
        .select(['albums.owner_id as owner', 'albums.visible_to as audience'])
        .where('album_photos.attachment_id', '=', attachmentId)
        .execute(),
    ]);
    return [...posts, ...albums].map((row) => ({ ownerId: row.owner, visibleTo: isAudience(row.audience) ? row.audience : 'private' }));
  }
}

function albumOf(row: Database['albums']): StoredAlbum {
  return { id: row.id, ownerId: row.owner_id, title: row.title, visibleTo: isAudience(row.visible_to) ? row.visible_to : 'private', createdAt: Number(row.created_at) };
}
