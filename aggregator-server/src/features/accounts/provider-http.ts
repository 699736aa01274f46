import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import type { OAuthTokens } from '#common/contract/accounts.js';
import { ApiError } from '../../http/api-error.js';

const providerTimeoutMs = 10_000;

/** RFC 6749 section 5.1, tolerant of providers that send numbers as strings. */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().min(1).optional(),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

const errorResponse = z.object({ error: z.string().max(200) });

export type ProviderAnswer = { status: number; json: unknown };

/** A provider's answer larger than this is not a token answer; reading stops there. */
const maxAnswerBytes = 1024 * 1024;

/**
 * One request to a provider. Never follows redirects (a token endpoint has no business sending us
 * elsewhere) and never puts what it sent into an error: the form carries secrets. With an `agent` (the
 * SSRF guard for user-named hosts), the connection resolves and checks the address itself.
 */
export async function postToProvider(url: string, body: { form: Record<string, string> } | { json: Record<string, unknown> }, agent?: http.Agent): Promise<ProviderAnswer> {
  const payload = 'form' in body ? new URLSearchParams(body.form).toString() : JSON.stringify(body.json);
  const target = new URL(url);
  let answer: { status: number; text: string };
  try {
    answer = await new Promise((resolve, reject) => {
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        {
          method: 'POST',
          ...(agent ? { agent } : {}),
          timeout: providerTimeoutMs,
          headers: {
            accept: 'application/json',
            'content-type': 'form' in body ? 'application/x-www-form-urlencoded' : 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxAnswerBytes) response.destroy(new Error('answer too large'));
            else chunks.push(chunk);
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })));
      request.on('error', reject);
      request.end(payload);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTPUBLIC') throw new ApiError(400, 'validation_failed', `the instance ${target.host} is not a public server`);
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    throw new ApiError(502, 'provider_error', `the network's server at ${target.host} is ${reason}`);
  }
  let json: unknown;
  try {
    json = answer.text === '' ? {} : JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  return { status: answer.status, json };
}

/** A provider's refusal, with its RFC 6749 error code when it gave one. */
export function providerRefusal(answer: ProviderAnswer, what: string): ApiError {
  const error = errorResponse.safeParse(answer.json);
  const providerError = error.success ? error.data.error : undefined;
  // 4xx from the provider is about the grant the client sent (expired refresh token, wrong client);
  // anything else is the provider failing.
  const status = answer.status >= 400 && answer.status < 500 ? 400 : 502;
  return new ApiError(status, 'provider_error', `${what} was refused by the network (HTTP ${answer.status}${providerError ? `, ${providerError}` : ''})`, providerError ? { providerError } : {});
}

export function parseTokenAnswer(answer: ProviderAnswer, now: number, what: string): OAuthTokens {
  if (answer.status < 200 || answer.status >= 300) throw providerRefusal(answer, what);
  const parsed = tokenResponse.safeParse(answer.json);
  if (!parsed.success) throw new ApiError(502, 'provider_error', `${what}: the network answered without a usable access token`);
  return tokensFrom(parsed.data, now);
}

/** The same shape from passport-oauth2's token results. */
export function tokensFromExchange(accessToken: string, refreshToken: string | undefined, results: unknown, now: number): OAuthTokens {
  const parsed = tokenResponse.omit({ access_token: true, refresh_token: true }).safeParse(results ?? {});
  const extra = parsed.success ? parsed.data : {};
  return tokensFrom({ ...extra, access_token: accessToken, refresh_token: refreshToken || undefined }, now);
}

function tokensFrom(data: z.infer<typeof tokenResponse>, now: number): OAuthTokens {
  return {
    accessToken: data.access_token,
    tokenType: data.token_type ?? 'Bearer',
    ...(data.refresh_token ? { refreshToken: data.refresh_token } : {}),
    ...(data.scope !== undefined ? { scope: data.scope } : {}),
    ...(data.expires_in !== undefined ? { expiresAt: now + Math.round(data.expires_in * 1000) } : {}),
  };
}
