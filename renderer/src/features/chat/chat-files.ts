import { useEffect, useState } from 'react';
import { ApiFailure } from '../../api/failure.js';
import { api } from '../../app/app-store.js';
import { localDb } from '../../db/local-db.js';

/**
 * Files of messages: a picture shows as its thumbnail, kept on the device once fetched (so the history
 * shows pictures offline too); any other file is a download link. The server is asked for the bytes with
 * the session's credentials (a bearer token on the desktop), so the page shows them as blob: URLs.
 */

export type AttachmentView = { kind: 'loading' } | { kind: 'picture'; blob: Blob } | { kind: 'file'; contentType: string } | { kind: 'unavailable' };

/** A thumbnail is made after the upload: asked for again this often, this many times. */
const thumbnailRetryMs = 700;
const thumbnailAttempts = 12;

export async function keepFile(attachmentId: string, blob: Blob, contentType: string): Promise<void> {
  await localDb.chatFiles.put({ attachmentId, variant: 'thumbnail', blob, contentType });
}

async function resolveAttachment(attachmentId: string, stillWanted: () => boolean): Promise<AttachmentView> {
  const cached = await localDb.chatFiles.get([attachmentId, 'thumbnail']);
  if (cached?.blob !== undefined) return { kind: 'picture', blob: cached.blob };
  const info = await localDb.chatFiles.get([attachmentId, 'info']);
  if (info?.contentType !== undefined && !info.contentType.startsWith('image/')) return { kind: 'file', contentType: info.contentType };
  // What the file is, from the server (a HEAD request): only pictures have thumbnails.
  let contentType = info?.contentType;
  if (contentType === undefined) {
    contentType = await api().attachmentType(attachmentId);
    await localDb.chatFiles.put({ attachmentId, variant: 'info', contentType });
  }
  if (!contentType.startsWith('image/')) return { kind: 'file', contentType };
  for (let attempt = 0; attempt < thumbnailAttempts && stillWanted(); attempt += 1) {
    try {
      const thumbnail = await api().attachmentThumbnail(attachmentId);
      await keepFile(attachmentId, thumbnail.blob, thumbnail.contentType);
      return { kind: 'picture', blob: thumbnail.blob };
    } catch (error) {
      // 404 until the thumbnail is made; anything else ends the wait.
      if (!(error instanceof ApiFailure) || error.status !== 404) throw error;
      await new Promise((resolve) => setTimeout(resolve, thumbnailRetryMs));
    }
  }
  return { kind: 'file', contentType };
}

/** The attachment of a message as it can be shown now; a picture's object URL lives as long as the component. */
export function useAttachment(attachmentId: string): { view: AttachmentView; url: string | undefined } {
  const [view, setView] = useState<AttachmentView>({ kind: 'loading' });
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    let wanted = true;
    let objectUrl: string | undefined;
    resolveAttachment(attachmentId, () => wanted).then(
      (resolved) => {
        if (!wanted) return;
        if (resolved.kind === 'picture') {
          objectUrl = URL.createObjectURL(resolved.blob);
          setUrl(objectUrl);
        }
        setView(resolved);
      },
      () => wanted && setView({ kind: 'unavailable' }),
    );
    return () => {
      wanted = false;
      if (objectUrl !== undefined) URL.revokeObjectURL(objectUrl);
    };
  }, [attachmentId]);
  return { view, url };
}

/** A local file's preview while it waits in the outbox. */
export function useBlobUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (blob === undefined) return;
    const objectUrl = URL.createObjectURL(blob);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [blob]);
  return url;
}

const extensions: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'text/plain': 'txt',
};

/** Downloads the whole file and hands it to the browser as a download, under the name it was sent with. */
export async function downloadAttachment(attachmentId: string): Promise<void> {
  const { blob, contentType, fileName } = await api().attachment(attachmentId);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  // A file sent without a name (a pasted picture) gets one from its type.
  link.download = fileName ?? `switchboard-${attachmentId.slice(0, 8)}.${extensions[contentType.split(';')[0] ?? ''] ?? 'bin'}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
