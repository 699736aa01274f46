/**
 * The web session's CSRF cookie, set by the server next to the HttpOnly session cookie (which no script
 * reads). Its value goes into `X-CSRF-Token` on every call that changes something, and its presence says
 * that the browser still holds a session.
 */
const csrfCookieNames = ['__Host-sb_csrf', 'sb_csrf'];

export function csrfCookie(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    if (csrfCookieNames.includes(name)) return decodeURIComponent(part.slice(separator + 1).trim()) || undefined;
  }
  return undefined;
}
