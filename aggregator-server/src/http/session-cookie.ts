import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import type { WebCookieKind } from '../features/identity/identity.repository.js';

/**
 * The web client's session cookie and its CSRF companion.
 *
 * The session cookie carries the same opaque token a bearer client gets (hashed server-side), HttpOnly so
 * no script reads it, SameSite=Lax so other sites' pages do not send it on their requests. Over https it
 * is `Secure` and named with the `__Host-` prefix (bound to this host, path /); on plain http (a developer
 * on 127.0.0.1) a Secure cookie would be dropped by the browser, so it is neither.
 *
 * CSRF: a state-changing request authenticated by the cookie must carry `X-CSRF-Token` equal to the CSRF
 * cookie, a script-readable value derived from the session token (a hash of it: it reveals nothing of the
 * token, and a cookie planted by a sibling host cannot match a session it does not know).
 */

export const csrfHeader = 'x-csrf-token';
const plainNames = { session: 'sb_session', csrf: 'sb_csrf' } as const;
const hostBoundNames = { session: '__Host-sb_session', csrf: '__Host-sb_csrf' } as const;

/** Whether the browser reached us over https (directly, through a trusted proxy, or by the operator's PUBLIC_URL). */
export function isSecureRequest(req: Request, publicUrl: string | undefined): boolean {
  return req.secure || (publicUrl?.startsWith('https://') ?? false);
}

function namesFor(secure: boolean) {
  return secure ? hostBoundNames : plainNames;
}

/** The CSRF value that goes with a session token. */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`switchboard-csrf:${sessionToken}`).digest('base64url');
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    const raw = part.slice(separator + 1).trim();
    // The first cookie of a name wins: the browser lists the most specific one first.
    if (!cookies.has(name)) cookies.set(name, safeDecode(raw));
  }
  return cookies;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The session token a browser's cookie carries, if any. Both spellings are read: behind a proxy the
 * server cannot always tell how the browser reached it, and the token alone decides anyway.
 */
export function sessionTokenFromCookies(headers: IncomingHttpHeaders): string | undefined {
  const cookies = parseCookies(headers.cookie);
  return cookies.get(hostBoundNames.session) ?? cookies.get(plainNames.session);
}

/** True when a cookie-authenticated request proves it comes from our own page. */
export function csrfProven(req: Request, sessionToken: string): boolean {
  const given = req.headers[csrfHeader];
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Requests that change nothing need no CSRF proof. */
export function changesState(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/**
 * Sets (or renews, for a sliding kept session) both cookies. A `browser` session gets no Max-Age: the
 * cookie ends when the browser does.
 */
export function setSessionCookies(res: Response, token: string, options: { kind: WebCookieKind; maxAgeMs: number; secure: boolean }): void {
  const names = namesFor(options.secure);
  const lifetime = options.kind === 'kept' ? { maxAge: options.maxAgeMs } : {};
  const common = { path: '/', sameSite: 'lax' as const, secure: options.secure, ...lifetime };
  res.cookie(names.session, token, { ...common, httpOnly: true });
  res.cookie(names.csrf, csrfTokenFor(token), { ...common, httpOnly: false });
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  const names = namesFor(secure);
  // A kept session renewed its cookies when this request was authenticated: those renewals go.
  const earlier = res.getHeader('set-cookie');
  const renewals = Array.isArray(earlier) ? earlier : typeof earlier === 'string' ? [earlier] : [];
  const others = renewals.filter((line) => !line.startsWith(`${names.session}=`) && !line.startsWith(`${names.csrf}=`));
  if (others.length > 0) res.setHeader('set-cookie', others);
  else res.removeHeader('set-cookie');
  for (const name of [names.session, names.csrf]) res.clearCookie(name, { path: '/', sameSite: 'lax', secure, httpOnly: name === names.session });
}
