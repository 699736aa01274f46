import fs from 'node:fs';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config.js';
import type { ByteRange, FileStore, StoredFileFacts } from './file-store.js';

/**
 * Attachments in an S3-compatible bucket (AWS S3, Ceph, Garage, SeaweedFS, R2, ...), so several server
 * nodes share the files without a shared disk. Keys are the attachment keys under `settings.prefix`.
 */
export class S3FileStore implements FileStore {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Checksums only where S3 requires them: the SDK's default streams bodies as aws-chunked with a
      // trailing CRC, which many S3-compatible servers do not speak. Integrity is kept by the SHA-256
      // we send with every object (below), which S3 verifies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
    } catch (error) {
      const where = this.settings.endpoint ?? `region ${this.settings.region}`;
      throw new Error(`the attachment bucket "${this.settings.bucket}" at ${where} cannot be used: ${describe(error)}`, { cause: error });
    }
  }

  async put(key: string, spoolFile: string, facts: StoredFileFacts): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.key(key),
          Body: fs.createReadStream(spoolFile),
          ContentLength: facts.size,
          ContentType: facts.contentType,
          ChecksumSHA256: Buffer.from(facts.sha256, 'hex').toString('base64'),
        }),
      );
    } finally {
      await fs.promises.rm(spoolFile, { force: true });
    }
  }

  async read(key: string, range?: ByteRange): Promise<{ body: Readable; size: number } | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      // In Node the SDK answers with the HTTP response itself: the bytes stream through, never buffered.
      if (!(answer.Body instanceof Readable)) throw new Error('the S3 client did not answer with a stream');
      const total = range ? Number(/\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1]) : answer.ContentLength;
      return { body: answer.Body, size: total ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    // One request per key: DeleteObjects needs a Content-MD5 some compatible servers reject, and an
    // account holds few files.
    await Promise.all(keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }))));
  }

  /** Closes the client's connection pool (server shutdown, tests). */
  close(): void {
    this.client.destroy();
  }

  private key(key: string): string {
    return `${this.settings.prefix}${key}`;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);
}

function describe(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    if (status === 403) return 'access denied (check the access key and secret)';
    if (status === 404) return 'no such bucket';
    return `${error.name}${status ? ` (HTTP ${status})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
