import { uploadedAttachment, type UploadedAttachment } from '#common/contract/messages.js';
import { routePath, routes } from '#common/contract/routes.js';
import { ApiFailure, failureFromAnswer } from '#common/contract/api-failure.js';
import { useApp } from '../app/app-store.js';
import { csrfCookie } from './session-cookie.js';

/**
 * Files on the server (POST /v1/attachments takes a raw body, which the JSON client does not send).
 * A web page carries its cookie session and CSRF value; the desktop window its short-lived bearer
 * credential, which an <img src> could not carry: pictures are therefore fetched here and shown from
 * blob: URLs, the same way in both.
 */

function serverUrl(): string {
  return useApp.getState().info?.serverUrl ?? window.location.origin;
}

function authHeaders(changes: boolean): Record<string, string> {
  const token = useApp.getState().session?.token;
  if (token !== undefined) return { authorization: `Bearer ${token}` };
  const csrf = changes ? csrfCookie() : undefined;
  return csrf === undefined ? {} : { 'x-csrf-token': csrf };
}

async function failureOf(response: Response, what: string): Promise<ApiFailure> {
  const text = await response.text().catch(() => '');
  let payload: unknown;
  try {
    payload = text === '' ? undefined : JSON.parse(text);
  } catch {
    payload = undefined;
  }
  return failureFromAnswer(response.status, payload, { code: response.status === 404 ? 'not_found' : `http_${response.status}`, message: `${what} answered ${response.status}` });
}

/** Uploads one picture; the server recognises its type from the bytes and answers its id. */
export async function uploadFile(file: Blob): Promise<UploadedAttachment> {
  const url = new URL(routePath(routes.uploadAttachment), serverUrl());
  let response: Response;
  try {
    // No X-File-Name: a picture needs no name here, and the header is not allowed across origins (desktop).
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': file.type === '' ? 'application/octet-stream' : file.type, ...authHeaders(true) },
      body: file,
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiFailure(0, 'network_unreachable', `cannot reach the server: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw await failureOf(response, 'upload');
  const parsed = uploadedAttachment.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new ApiFailure(502, 'invalid_response', 'the upload answer does not match the contract');
  return parsed.data;
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
  const route = size === 'thumbnail' ? routes.attachmentThumbnail : routes.attachment;
  const url = new URL(routePath(route, { id: attachmentId }), serverUrl());
  let response: Response;
  try {
    response = await fetch(url, { headers: authHeaders(false), credentials: 'same-origin' });
  } catch (error) {
    throw new ApiFailure(0, 'network_unreachable', `cannot reach the server: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A thumbnail is made after the upload and may not exist yet (or never, for a GIF): the picture itself then.
  if (size === 'thumbnail' && response.status === 404) return pictureUrl(attachmentId, 'full');
  if (!response.ok) throw await failureOf(response, 'picture');
  return URL.createObjectURL(await response.blob());
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
