import type { UploadedAttachment } from '#common/contract/messages.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { api } from '../app/app-store.js';

/**
 * Pictures on the server, through the one typed client (its `upload` and `bytes` carry the web page's
 * cookie session or the desktop window's bearer credential). An <img src> could carry neither across
 * origins, so pictures are shown from blob: URLs, the same way in both.
 */

/** Uploads one picture; the server recognises its type from the bytes and answers its id. */
export function uploadFile(file: Blob): Promise<UploadedAttachment> {
  return api().uploadAttachment(file, file instanceof File ? file.name : 'picture');
}

export type PictureSize = 'thumbnail' | 'full';

/** Object URLs of pictures already fetched, oldest first; a bounded number stay alive. */
const cache = new Map<string, Promise<string>>();
const cacheLimit = 400;

function remember(key: string, value: Promise<string>): void {
  cache.set(key, value);
  while (cache.size > cacheLimit) {
    const [oldestKey, oldest] = cache.entries().next().value ?? [];
    if (oldestKey === undefined || oldest === undefined) break;
    cache.delete(oldestKey);
    void oldest.then((url) => URL.revokeObjectURL(url), () => undefined);
  }
}

async function fetchPicture(attachmentId: string, size: PictureSize): Promise<string> {
  try {
    const { blob } = size === 'thumbnail' ? await api().attachmentThumbnail(attachmentId) : await api().attachment(attachmentId);
    return URL.createObjectURL(blob);
  } catch (error) {
    // A thumbnail is made after the upload and may not exist yet (or never, for a GIF): the picture itself then.
    if (size === 'thumbnail' && error instanceof ApiFailure && error.status === 404) return pictureUrl(attachmentId, 'full');
    throw error;
  }
}

/** A blob: URL for a picture the server lets me see; fetched once and shared by every place showing it. */
export function pictureUrl(attachmentId: string, size: PictureSize): Promise<string> {
  const key = `${size}:${attachmentId}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const loading = fetchPicture(attachmentId, size);
  remember(key, loading);
  // A failure is not remembered: the next showing tries again (the thumbnail may be ready by then).
  loading.catch(() => cache.delete(key));
  return loading;
}

/** On sign-out: nothing of one person's pictures stays in memory for the next. */
export function forgetPictures(): void {
  for (const url of cache.values()) void url.then((value) => URL.revokeObjectURL(value), () => undefined);
  cache.clear();
}
