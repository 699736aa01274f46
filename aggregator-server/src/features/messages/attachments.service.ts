import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { UploadedAttachment } from '#common/contract/messages.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { AttachmentRecord, MessagesRepository } from './messages.repository.js';
import { sniffContentType } from './sniff.js';

const sniffBytes = 4096;
const pictureTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Makes a small preview of a picture; absent when no image library is available. */
export type Thumbnailer = (source: string, target: string) => Promise<void>;

/** Loads sharp (prebuilt libvips) when it is installed; thumbnails are left out otherwise. */
export async function sharpThumbnailer(): Promise<Thumbnailer | undefined> {
  try {
    const { default: sharp } = await import('sharp');
    return async (source, target) => {
      await sharp(source, { limitInputPixels: 50_000_000 }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toFile(target);
    };
  } catch {
    return undefined;
  }
}

/** Another feature's reason to let a user fetch a file: a post's picture, for those who may see the post. */
export type AttachmentAccessRule = (userId: string, attachmentId: string) => Promise<boolean>;
/** Another feature still shows this file (in an album, as an avatar): it must not be discarded. */
export type AttachmentHolder = (attachmentId: string) => Promise<boolean>;

/** Files on disk under DATA_DIR/attachments; the database knows who uploaded what and which messages hold it. */
export class AttachmentsService {
  private readonly dir: string;
  private readonly accessRules: AttachmentAccessRule[] = [];
  private readonly holders: AttachmentHolder[] = [];

  constructor(
    private readonly deps: { repo: MessagesRepository; dataDir: string; maxBytes: number; thumbnailer: Thumbnailer | undefined; clock: Clock; log: Logger },
  ) {
    this.dir = path.join(deps.dataDir, 'attachments');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** Reads the body as it streams in, stopping at the size limit; the type comes from the first bytes. */
  async upload(uploaderId: string, body: Readable, declaredLength: number | undefined, fileName: string | undefined): Promise<UploadedAttachment> {
    const { maxBytes } = this.deps;
    if (declaredLength !== undefined && declaredLength > maxBytes) throw tooLarge(maxBytes);
    const id = randomUUID();
    const partial = path.join(this.dir, `${id}.part`);
    const out = fs.createWriteStream(partial, { flags: 'wx' });
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(maxBytes);
        if (head.length < sniffBytes) head = Buffer.concat([head, chunk.subarray(0, sniffBytes - head.length)]);
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      const contentType = sniffContentType(head);
      if (!contentType) throw new ApiError(415, 'unsupported_type', 'pictures, PDF, ZIP and text files only');
      fs.renameSync(partial, this.file(id));
      const record: AttachmentRecord = {
        id,
        uploaderId,
        contentType,
        size,
        sha256: hash.digest('hex'),
        fileName: fileName ? fileName.slice(0, 255) : null,
        createdAt: this.deps.clock.now(),
      };
      await this.deps.repo.addAttachment(record);
      if (pictureTypes.has(contentType)) this.makeThumbnail(id);
      return { attachmentId: id, size, contentType, sha256: record.sha256 };
    } catch (error) {
      out.destroy();
      fs.rmSync(partial, { force: true });
      throw error;
    }
  }

  /** The file for its uploader or a member of a conversation that holds it; otherwise it does not exist. */
  async open(userId: string, id: string): Promise<{ record: AttachmentRecord; file: string }> {
    const record = await this.deps.repo.findAttachment(id);
    if (!record || (record.uploaderId !== userId && !(await this.deps.repo.attachmentVisibleTo(id, userId)) && !(await this.grantedByRule(userId, id)))) {
      throw new ApiError(404, 'not_found', 'no such file');
    }
    return { record, file: this.file(id) };
  }

  async thumbnail(userId: string, id: string): Promise<string> {
    await this.open(userId, id);
    const file = this.thumbnailFile(id);
    if (!fs.existsSync(file)) throw new ApiError(404, 'not_found', 'no preview for this file (yet)');
    return file;
  }

  /** May the sender put this file in a message: theirs, or one they can already see. */
  async usableBy(userId: string, id: string): Promise<boolean> {
    const record = await this.deps.repo.findAttachment(id);
    return record !== undefined && (record.uploaderId === userId || (await this.deps.repo.attachmentVisibleTo(id, userId)));
  }

  /** Account deletion: the user's uploads, their files and thumbnails included. */
  async deleteUser(userId: string): Promise<void> {
    for (const id of await this.deps.repo.deleteAttachmentsOf(userId)) {
      for (const file of [this.file(id), this.thumbnailFile(id)]) fs.rmSync(file, { force: true });
    }
  }

  // ---- Files shown by other features (profiles, posts, albums: issue 16) ----

  /** Lets users fetch (and preview) files another feature shows them. */
  allowAccess(rule: AttachmentAccessRule): void {
    this.accessRules.push(rule);
  }

  /** Keeps files another feature still shows from being discarded. */
  addHolder(holder: AttachmentHolder): void {
    this.holders.push(holder);
  }

  /** Whether `id` is a picture `userId` uploaded: what posts, albums and avatars may show. */
  async ownPicture(userId: string, id: string): Promise<'ok' | 'unknown' | 'not_a_picture'> {
    const record = await this.deps.repo.findAttachment(id);
    if (record === undefined || record.uploaderId !== userId) return 'unknown';
    return pictureTypes.has(record.contentType) ? 'ok' : 'not_a_picture';
  }

  /** Deletes the uploader's files with their thumbnails, except those a message or another feature still holds. */
  async discardUnlessHeld(uploaderId: string, ids: string[]): Promise<void> {
    for (const id of new Set(ids)) {
      if (await this.heldElsewhere(id)) continue;
      if (!(await this.deps.repo.deleteAttachmentUnlessSent(uploaderId, id))) continue;
      for (const file of [this.file(id), this.thumbnailFile(id)]) fs.rmSync(file, { force: true });
    }
  }

  private async grantedByRule(userId: string, id: string): Promise<boolean> {
    for (const rule of this.accessRules) if (await rule(userId, id)) return true;
    return false;
  }

  private async heldElsewhere(id: string): Promise<boolean> {
    for (const holder of this.holders) if (await holder(id)) return true;
    return false;
  }

  private makeThumbnail(id: string): void {
    const { thumbnailer, log } = this.deps;
    if (!thumbnailer) return;
    // Off the request path: the upload is answered first.
    setImmediate(() => {
      const target = this.thumbnailFile(id);
      thumbnailer(this.file(id), `${target}.part`)
        .then(() => fs.renameSync(`${target}.part`, target))
        .catch((error: unknown) => log.warn({ reason: (error as Error).message, id }, 'thumbnail failed'));
    });
  }

  private file(id: string): string {
    return path.join(this.dir, id);
  }

  private thumbnailFile(id: string): string {
    return path.join(this.dir, `${id}.thumb.webp`);
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'too_large', `files may be up to ${maxBytes} bytes`, { limit: maxBytes });
}
