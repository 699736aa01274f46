import { z } from 'zod';
import type { OAuthTokens } from '../../../../common/contract/accounts.js';
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

/**
 * One request to a provider. Never follows redirects (a token endpoint has no business sending us
 * elsewhere) and never puts what it sent into an error: the form carries secrets.
 */
export async function postToProvider(url: string, body: { form: Record<string, string> } | { json: Record<string, unknown> }): Promise<ProviderAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(providerTimeoutMs),
      headers: { accept: 'application/json', 'content-type': 'form' in body ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: 'form' in body ? new URLSearchParams(body.form).toString() : JSON.stringify(body.json),
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    throw new ApiError(502, 'provider_error', `the network's server at ${new URL(url).host} is ${reason}`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
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
