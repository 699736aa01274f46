import { PluginRequestError } from './errors.js';
import type { FetchAnswer, FetchInit } from './protocol.js';
import { resolvePluginUrl, type UrlPolicy } from './url-policy.js';

export interface HostFetchLimits {
  timeoutMs: number;
  maxResponseBytes: number;
}

export const DEFAULT_FETCH_LIMITS: HostFetchLimits = { timeoutMs: 20_000, maxResponseBytes: 8 * 1024 * 1024 };

// Headers that would let a plugin speak for the app or the user beyond what the call gives it.
const REFUSED_REQUEST_HEADERS = new Set(['cookie', 'host', 'proxy-authorization', 'connection', 'transfer-encoding']);

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new PluginRequestError('response_too_large', `the answer is ${declared} bytes; the limit is ${maxBytes}`);
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new PluginRequestError('response_too_large', `the answer exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The only network access a plugin has: performed here, in the app, after the URL policy said yes.
 * Redirects are handed back to the plugin instead of followed, so a redirect cannot carry a request
 * (and its Authorization header) to a host the policy never saw.
 */
export async function hostFetch(rawUrl: string, init: FetchInit | undefined, policy: UrlPolicy, limits: HostFetchLimits = DEFAULT_FETCH_LIMITS): Promise<FetchAnswer> {
  const url = resolvePluginUrl(rawUrl, policy);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init?.headers ?? {})) {
    if (!REFUSED_REQUEST_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: init?.method ?? 'GET',
      headers,
      body: init?.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') throw new PluginRequestError('fetch_timeout', `${url.host} did not answer within ${limits.timeoutMs} ms`);
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new PluginRequestError('fetch_failed', `cannot reach ${url.host}: ${reason}`);
  }
  let body: string;
  try {
    body = await readLimited(response, limits.maxResponseBytes);
  } catch (error) {
    if (error instanceof PluginRequestError) throw error;
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new PluginRequestError(timedOut ? 'fetch_timeout' : 'fetch_failed', `${url.host} ${timedOut ? 'did not finish its answer in time' : 'broke off its answer'}`);
  }
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') answerHeaders[name.toLowerCase()] = value;
  });
  return { status: response.status, headers: answerHeaders, body };
}
