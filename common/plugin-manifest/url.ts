/**
 * Just enough URL structure to decide where a link goes. Pure code has no WHATWG `URL` (it must
 * typecheck without DOM or Node typings), and we need to see placeholders inside a template,
 * which `URL` would percent-encode away.
 */

/**
 * Schemes a plugin link may use: the chat apps' own deep-link schemes (below), https, mailto, sms, tel,
 * xmpp, and the handlers of the extra built-ins (Zoom, Skype, LINE, Viber). The list is owned by
 * the engine, not by plugins, so a third-party manifest cannot open `file:`, `javascript:` or an
 * arbitrary OS protocol handler.
 */
export const ALLOWED_LINK_SCHEMES = [
  'https',
  'slack',
  'discord',
  'tg',
  'whatsapp',
  'sgnl',
  'msteams',
  'matrix',
  'tencent',
  'weixin',
  'mailto',
  'sms',
  'tel',
  'xmpp',
  'zoommtg',
  'skype',
  'line',
  'viber',
] as const;

export type LinkScheme = (typeof ALLOWED_LINK_SCHEMES)[number];

export function isAllowedScheme(scheme: string): scheme is LinkScheme {
  return (ALLOWED_LINK_SCHEMES as readonly string[]).includes(scheme.toLowerCase());
}

export type UrlComponent = 'authority' | 'path' | 'query' | 'fragment';

export interface UrlParts {
  /** Lower-cased scheme without the colon. */
  scheme: string;
  /** Undefined when the URL has no `//authority` (e.g. `mailto:`, `matrix:u/...`). */
  authority: string | undefined;
  /** Lower-cased host without port or user info. */
  host: string | undefined;
  hasUserInfo: boolean;
  /** Index where the scheme-specific part starts, i.e. right after `scheme:`. */
  bodyStart: number;
}

const SCHEME_REGEX = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export function splitUrl(url: string): UrlParts | undefined {
  const scheme = SCHEME_REGEX.exec(url);
  if (scheme === null || scheme[1] === undefined) return undefined;
  const bodyStart = scheme[0].length;
  if (!url.startsWith('//', bodyStart)) {
    return { scheme: scheme[1].toLowerCase(), authority: undefined, host: undefined, hasUserInfo: false, bodyStart };
  }
  const authorityStart = bodyStart + 2;
  const rest = url.slice(authorityStart);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  const hostAndPort = at === -1 ? authority : authority.slice(at + 1);
  const host = hostAndPort.startsWith('[') ? hostAndPort.slice(0, hostAndPort.indexOf(']') + 1) : hostAndPort.split(':')[0];
  return {
    scheme: scheme[1].toLowerCase(),
    authority,
    host: (host ?? '').toLowerCase(),
    hasUserInfo: at !== -1,
    bodyStart,
  };
}

/** Which component a character offset falls into, so each placeholder gets the right encoding. */
export function componentAt(url: string, offset: number): UrlComponent {
  const parts = splitUrl(url);
  let cursor = parts?.bodyStart ?? 0;
  if (parts?.authority !== undefined) {
    const authorityEnd = cursor + 2 + parts.authority.length;
    if (offset < authorityEnd) return 'authority';
    cursor = authorityEnd;
  }
  const hash = url.indexOf('#', cursor);
  if (hash !== -1 && offset > hash) return 'fragment';
  const question = url.indexOf('?', cursor);
  if (question !== -1 && offset > question && (hash === -1 || question < hash)) return 'query';
  return 'path';
}

/**
 * Host patterns: an exact host, `*.example.com` for any subdomain (not the apex), or `{instance}`,
 * which stands for the server a person signs in to on a federated network (e.g. Mastodon).
 */
export const INSTANCE_HOST = '{instance}';

export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const wanted = host.toLowerCase();
  return allowedHosts.some((pattern) => {
    const lower = pattern.toLowerCase();
    if (lower.startsWith('*.')) return wanted.endsWith(lower.slice(1));
    return wanted === lower;
  });
}
