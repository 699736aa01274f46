import { type ContactIdentity, IDENTITY_FIELD_NAME_REGEX, identityValue } from './identity.js';
import { ALLOWED_LINK_SCHEMES, componentAt, hostAllowed, isAllowedScheme, splitUrl } from './url.js';

export interface Placeholder {
  name: string;
  /** Offset of the opening brace in the template. */
  offset: number;
}

export type TemplateParse =
  | { ok: true; placeholders: Placeholder[] }
  | { ok: false; offset: number; message: string };

const PLACEHOLDER_REGEX = /\{([A-Za-z]+)\}/y;

/** Splits `{name}` placeholders out of a template; any other brace is an authoring mistake. */
export function parseTemplate(template: string): TemplateParse {
  const placeholders: Placeholder[] = [];
  for (let offset = 0; offset < template.length; offset += 1) {
    const char = template[offset];
    if (char === '}') return { ok: false, offset, message: `stray "}" at character ${offset + 1}` };
    if (char !== '{') continue;
    PLACEHOLDER_REGEX.lastIndex = offset;
    const match = PLACEHOLDER_REGEX.exec(template);
    if (match === null || match[1] === undefined) {
      return { ok: false, offset, message: `"{" at character ${offset + 1} does not start a {placeholder}` };
    }
    placeholders.push({ name: match[1], offset });
    offset += match[0].length - 1;
  }
  return { ok: true, placeholders };
}

/** RFC 3986 unreserved characters stay; everything else, including !'()*, is percent-encoded. */
function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Encodes a value for the component it lands in. In a path or fragment `@`, `:` and `+` are
 * legal and meaningful (`sgnl://signal.me/#p/+49...`, `mailto:a@b`, `matrix:u/alice:server`), while
 * in a query `+` would read as a space. `/`, `?`, `#`, `&` and `=` are always encoded so a value can
 * never step out of its component.
 */
export function encodeValue(value: string, component: 'path' | 'query' | 'fragment'): string {
  const strict = encodeStrict(value);
  if (component === 'query') return strict;
  return strict.replace(/%40/g, '@').replace(/%3A/g, ':').replace(/%2B/g, '+');
}

export type LinkProblemCode =
  | 'bad_template'
  | 'bad_url'
  | 'placeholder_in_scheme'
  | 'placeholder_in_host'
  | 'scheme_not_allowed'
  | 'not_https'
  | 'userinfo_not_allowed'
  | 'host_not_allowed';

export interface LinkProblem {
  code: LinkProblemCode;
  message: string;
}

/**
 * Decides whether a link (a template or a rendered URL) may be opened: the scheme must be on the
 * engine's list, and a web address must be https to a host the manifest allows. Placeholders may
 * not decide the scheme or host, because a contact's data must never choose where a click goes.
 */
export function checkLinkTarget(
  url: string,
  allowedHosts: readonly string[],
  options: { requireHttps?: boolean; allowedSchemes?: readonly string[] } = {},
): LinkProblem | undefined {
  const colon = url.indexOf(':');
  const brace = url.indexOf('{');
  if (brace !== -1 && (colon === -1 || brace < colon)) {
    return { code: 'placeholder_in_scheme', message: 'the scheme (before ":") must be fixed text, not a placeholder' };
  }
  const parts = splitUrl(url);
  if (parts === undefined) return { code: 'bad_url', message: `"${url}" does not start with a scheme such as "https:"` };
  const schemeAllowed = options.allowedSchemes
    ? options.allowedSchemes.includes(parts.scheme)
    : isAllowedScheme(parts.scheme);
  if (!schemeAllowed) {
    const list = (options.allowedSchemes ?? ALLOWED_LINK_SCHEMES).join(', ');
    return { code: 'scheme_not_allowed', message: `scheme "${parts.scheme}:" is not allowed (allowed: ${list})` };
  }
  if (options.requireHttps === true && parts.scheme !== 'https') {
    return { code: 'not_https', message: `must be an https: address, not "${parts.scheme}:"` };
  }
  if (parts.authority?.includes('{')) {
    return { code: 'placeholder_in_host', message: 'the host must be fixed text, not a placeholder' };
  }
  if (parts.hasUserInfo) {
    return { code: 'userinfo_not_allowed', message: 'user info ("name@" before the host) is not allowed' };
  }
  if (parts.scheme === 'https') {
    if (parts.host === undefined || parts.host === '') {
      return { code: 'bad_url', message: 'an https: address needs a host ("https://host/...")' };
    }
    if (!hostAllowed(parts.host, allowedHosts)) {
      return { code: 'host_not_allowed', message: `host "${parts.host}" is not listed in allowedHosts` };
    }
  }
  return undefined;
}

export type RenderResult =
  | { ok: true; url: string }
  | { ok: false; code: 'bad_template' | 'unknown_placeholder'; message: string }
  | { ok: false; code: 'missing_identity'; message: string; missing: string[] };

/**
 * Fills a template from a contact; each value is encoded for the URL component it lands in. Whether
 * a placeholder is declared by the plugin is the manifest checks' job; here any well-formed name is
 * looked up in the contact's fields.
 */
export function renderTemplate(template: string, identity: ContactIdentity): RenderResult {
  const parsed = parseTemplate(template);
  if (!parsed.ok) return { ok: false, code: 'bad_template', message: parsed.message };
  const missing: string[] = [];
  let rendered = '';
  let cursor = 0;
  for (const { name, offset } of parsed.placeholders) {
    if (!IDENTITY_FIELD_NAME_REGEX.test(name)) {
      return { ok: false, code: 'unknown_placeholder', message: `{${name}} is not a field name (camelCase, starting with a-z)` };
    }
    const value = identityValue(identity, name);
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name);
      continue;
    }
    const component = componentAt(template, offset);
    if (component === 'authority') {
      return { ok: false, code: 'bad_template', message: 'the host must be fixed text, not a placeholder' };
    }
    rendered += template.slice(cursor, offset) + encodeValue(value, component);
    cursor = offset + name.length + 2;
  }
  if (missing.length > 0) {
    return { ok: false, code: 'missing_identity', message: `the contact has no ${missing.join(', ')}`, missing };
  }
  return { ok: true, url: rendered + template.slice(cursor) };
}

