import { randomUUID } from 'node:crypto';
import { maxAlbumsPerUser, maxPhotosPerAlbum, type AlbumView, type PhotoView, type PostAudience } from '#common/contract/posts.js';
import { ApiError } from '../../http/api-error.js';
import { toIso, type Clock } from '../../platform/clock.js';
import type { AttachmentsService } from '../messages/attachments.service.js';
import { requireOwnPicture } from '../profile/profile.service.js';
import type { VisibilityService } from '../profile/visibility.service.js';
import type { AlbumSummary, PostsRepository, StoredPhoto } from './posts.repository.js';

/** Albums of pictures with captions (issue 16), each with an audience like a post's. */
export class AlbumsService {
  constructor(
    private readonly deps: {
      repo: PostsRepository;
      visibility: VisibilityService;
      attachments: Pick<AttachmentsService, 'ownPicture' | 'discardUnlessHeld'>;
      clock: Clock;
    },
  ) {}

  async create(ownerId: string, request: { title: string; visibleTo?: PostAudience | undefined }): Promise<AlbumView> {
    const visibleTo = request.visibleTo ?? (await this.deps.visibility.profileAudiences([ownerId])).get(ownerId) ?? 'private';
    const album = { id: randomUUID(), ownerId, title: request.title, visibleTo, createdAt: this.deps.clock.now() };
    if (!(await this.deps.repo.createAlbum(album, maxAlbumsPerUser))) {
      throw new ApiError(409, 'limit_reached', `at most ${maxAlbumsPerUser} albums`, { limit: maxAlbumsPerUser });
    }
    return albumView(ownerId, { ...album, photoCount: 0, coverAttachmentId: undefined });
  }

  /** Newest first: all of mine, or someone's albums whose audience admits me (404 when nothing of theirs is visible). */
  async albumsOf(viewerId: string, ownerId: string): Promise<AlbumView[]> {
    let audiences: PostAudience[] | 'all' = 'all';
    if (viewerId !== ownerId) {
      const standing = await this.deps.visibility.standingToward(viewerId, ownerId);
      if (standing.size === 0) throw new ApiError(404, 'not_found', 'no such user');
      audiences = [...standing];
    }
    return (await this.deps.repo.albumsOf(ownerId, audiences)).map((album) => albumView(viewerId, album));
  }

  async photos(viewerId: string, albumId: string): Promise<PhotoView[]> {
    const album = await this.deps.repo.findAlbum(albumId);
    if (!album || !(await this.deps.visibility.admits(viewerId, album.ownerId, album.visibleTo))) throw notFound();
    return (await this.deps.repo.photos(albumId)).map(photoView);
  }

  async addPhoto(ownerId: string, albumId: string, request: { attachmentId: string; caption?: string | undefined }): Promise<PhotoView> {
    await this.ownAlbum(ownerId, albumId);
    await requireOwnPicture(this.deps.attachments, ownerId, request.attachmentId);
    const photo: StoredPhoto = { id: randomUUID(), albumId, attachmentId: request.attachmentId, caption: request.caption || null, createdAt: this.deps.clock.now() };
    if (!(await this.deps.repo.addPhoto(photo, maxPhotosPerAlbum))) {
      if (!(await this.deps.repo.findAlbum(albumId))) throw notFound();
      throw new ApiError(409, 'limit_reached', `an album holds at most ${maxPhotosPerAlbum} photos`, { limit: maxPhotosPerAlbum });
    }
    return photoView(photo);
  }

  async removePhoto(ownerId: string, albumId: string, photoId: string): Promise<void> {
    await this.ownAlbum(ownerId, albumId);
    const attachmentId = await this.deps.repo.deletePhoto(albumId, photoId);
    if (attachmentId === undefined) throw new ApiError(404, 'not_found', 'no such photo');
    await this.deps.attachments.discardUnlessHeld(ownerId, [attachmentId]);
  }

  async remove(ownerId: string, albumId: string): Promise<void> {
    const pictures = await this.deps.repo.deleteAlbum(albumId, ownerId);
    if (pictures === undefined) throw notFound();
    await this.deps.attachments.discardUnlessHeld(ownerId, pictures);
  }

  private async ownAlbum(ownerId: string, albumId: string): Promise<void> {
    const album = await this.deps.repo.findAlbum(albumId);
    if (!album || album.ownerId !== ownerId) throw notFound();
  }
}

function albumView(viewerId: string, album: AlbumSummary): AlbumView {
  return {
    id: album.id,
    ownerId: album.ownerId,
    title: album.title,
    ...(album.ownerId === viewerId ? { visibleTo: album.visibleTo } : {}),
    photoCount: album.photoCount,
    ...(album.coverAttachmentId ? { coverAttachmentId: album.coverAttachmentId } : {}),
    createdAt: toIso(album.createdAt),
  };
}

function photoView(photo: StoredPhoto): PhotoView {
  return { id: photo.id, albumId: photo.albumId, attachmentId: photo.attachmentId, ...(photo.caption ? { caption: photo.caption } : {}), createdAt: toIso(photo.createdAt) };
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'no such album');
}
