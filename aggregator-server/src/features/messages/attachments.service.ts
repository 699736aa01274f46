import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadedAttachment } from '#common/contract/messages.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { ByteRange, FileStore } from './file-store.js';
import type { AttachmentRecord, MessagesRepository } from './messages.repository.js';
import { sniffContentType } from './sniff.js';

const sniffBytes = 4096;
const pictureTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Makes a small preview of a picture read from `source` into the file `target`; absent without an image library. */
export type Thumbnailer = (source: Readable, target: string) => Promise<void>;

/** Loads sharp (prebuilt libvips) when it is installed; thumbnails are left out otherwise. */
export async function sharpThumbnailer(): Promise<Thumbnailer | undefined> {
  try {
    const { default: sharp } = await import('sharp');
    return async (source, target) => {
      const preview = sharp({ limitInputPixels: 50_000_000 }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 });
      await pipeline(source, preview, fs.createWriteStream(target, { flags: 'wx' }));
    };
  } catch {
    return undefined;
  }
}

/** Another feature's reason to let a user fetch a file: a post's picture, for those who may see the post. */
export type AttachmentAccessRule = (userId: string, attachmentId: string) => Promise<boolean>;
/** Another feature still shows this file (in an album, as an avatar): it must not be discarded. */
export type AttachmentHolder = (attachmentId: string) => Promise<boolean>;

/** How long a half-written upload may sit in the spool before a restart sweeps it away. */
const spoolLeftoverMs = 60 * 60_000;

/**
 * Uploads are written to a spool folder under DATA_DIR while they are hashed, measured and sniffed; only
 * a file that passes goes into the store (disk or S3). The database knows who uploaded what and which
 * messages hold it; the store holds the bytes under the attachment id (and `<id>.thumb.webp`).
 */
export class AttachmentsService {
  private readonly spoolDir: string;
  private readonly accessRules: AttachmentAccessRule[] = [];
  private readonly holders: AttachmentHolder[] = [];

  constructor(
    private readonly deps: {
      repo: MessagesRepository;
      store: FileStore;
      dataDir: string;
      maxBytes: number;
      thumbnailer: Thumbnailer | undefined;
      clock: Clock;
      log: Logger;
    },
  ) {
    this.spoolDir = path.join(deps.dataDir, 'attachments-spool');
    fs.mkdirSync(this.spoolDir, { recursive: true });
    this.sweepSpool();
  }

  /** Reads the body as it streams in, stopping at the size limit; the type comes from the first bytes. */
  async upload(uploaderId: string, body: Readable, declaredLength: number | undefined, fileName: string | undefined): Promise<UploadedAttachment> {
    const { maxBytes, store } = this.deps;
    if (declaredLength !== undefined && declaredLength > maxBytes) throw tooLarge(maxBytes);
    const id = randomUUID();
    const partial = path.join(this.spoolDir, `${id}.part`);
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
      const record: AttachmentRecord = {
        id,
        uploaderId,
        contentType,
        size,
        sha256: hash.digest('hex'),
        fileName: fileName ? fileName.slice(0, 255) : null,
        createdAt: this.deps.clock.now(),
      };
      // Bytes first, then the row: a row never names a file the store lacks.
      await store.put(id, partial, record);
      try {
        await this.deps.repo.addAttachment(record);
      } catch (error) {
        await store.delete([id]).catch(() => undefined);
        throw error;
      }
      if (pictureTypes.has(contentType)) this.makeThumbnail(record);
      return { attachmentId: id, size, contentType, sha256: record.sha256 };
    } catch (error) {
      out.destroy();
      fs.rmSync(partial, { force: true });
      throw error;
    }
  }

  /** The file's record for its uploader or a member of a conversation that holds it; otherwise it does not exist. */
  async open(userId: string, id: string): Promise<AttachmentRecord> {
    const record = await this.deps.repo.findAttachment(id);
    if (!record || (record.uploaderId !== userId && !(await this.deps.repo.attachmentVisibleTo(id, userId)) && !(await this.grantedByRule(userId, id)))) {
      throw new ApiError(404, 'not_found', 'no such file');
    }
    return record;
  }

  /** The bytes of a file `open` let through, streamed from the store. */
  async read(record: AttachmentRecord, range?: ByteRange): Promise<Readable> {
    const stored = await this.deps.store.read(record.id, range);
    if (!stored) {
      this.deps.log.error({ id: record.id, store: this.deps.store.kind }, 'an attachment is in the database but not in the store');
      throw new ApiError(404, 'not_found', 'no such file');
    }
    return stored.body;
  }

  /**
   * The preview of a picture the user may see: its tag for caches first, and the bytes only when asked
   * (a browser that has the current preview is answered without touching the store).
   */
  async thumbnail(userId: string, id: string): Promise<{ etag: string; read(): Promise<{ body: Readable; size: number }> }> {
    const record = await this.open(userId, id);
    return {
      etag: `"${record.sha256}.thumb"`,
      read: async () => {
        const stored = await this.deps.store.read(thumbnailKey(id));
        if (!stored) throw new ApiError(404, 'not_found', 'no preview for this file (yet)');
        return stored;
      },
    };
  }

  /** May the sender put this file in a message: theirs, or one they can already see. */
  async usableBy(userId: string, id: string): Promise<boolean> {
    const record = await this.deps.repo.findAttachment(id);
    return record !== undefined && (record.uploaderId === userId || (await this.deps.repo.attachmentVisibleTo(id, userId)));
  }

  /** Account deletion: the user's uploads, their files and thumbnails included, wherever they are stored. */
  async deleteUser(userId: string): Promise<void> {
    const ids = await this.deps.repo.deleteAttachmentsOf(userId);
    await this.deps.store.delete(ids.flatMap((id) => [id, thumbnailKey(id)]));
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
      await this.deps.store.delete([id, thumbnailKey(id)]);
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

  /** Off the request path: the upload is answered first, then the picture is read back from the store. */
  private makeThumbnail(record: AttachmentRecord): void {
    const { thumbnailer, store, log } = this.deps;
    if (!thumbnailer) return;
    setImmediate(() => {
      const target = path.join(this.spoolDir, `${record.id}.thumb.part`);
      const make = async () => {
        const source = await store.read(record.id);
        if (!source) return;
        await thumbnailer(source.body, target);
        const { size } = await fs.promises.stat(target);
        const sha256 = createHash('sha256').update(await fs.promises.readFile(target)).digest('hex');
        await store.put(thumbnailKey(record.id), target, { contentType: 'image/webp', size, sha256 });
      };
      make().catch((error: unknown) => {
        fs.rmSync(target, { force: true });
        log.warn({ reason: (error as Error).message, id: record.id }, 'thumbnail failed');
      });
    });
  }

  /** Half-written uploads of a server that stopped mid-way; young ones may belong to another node on a shared disk. */
  private sweepSpool(): void {
    const now = Date.now();
    for (const name of fs.readdirSync(this.spoolDir)) {
      const file = path.join(this.spoolDir, name);
      try {
        if (now - fs.statSync(file).mtimeMs > spoolLeftoverMs) fs.rmSync(file, { force: true });
      } catch {
        // Gone meanwhile: nothing to sweep.
      }
    }
  }
}

function thumbnailKey(id: string): string {
  return `${id}.thumb.webp`;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'too_large', `files may be up to ${maxBytes} bytes`, { limit: maxBytes });
}
