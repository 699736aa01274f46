// Mastodon adapter (capabilities "contacts-import" and "identity-lookup"). Runs in Switchboard's plugin
// sandbox: `ctx.fetch` is the only network, `https://{instance}` is the server the account is bound on,
// and the token comes from the OS keychain through `ctx.accessToken()`.
// @ts-check
/* global URLSearchParams */

/** @typedef {import('../sdk/adapter.js').PluginAdapter} PluginAdapter */
/** @typedef {import('../sdk/adapter.js').PluginContext} PluginContext */
/** @typedef {import('../sdk/adapter.js').ImportedContact} ImportedContact */
/**
 * An account as Mastodon's API answers it; every field is checked before use.
 * @typedef {{ id?: unknown, acct?: unknown, username?: unknown, url?: unknown, note?: unknown, display_name?: unknown, fields?: unknown }} MastodonAccount
 */

const INSTANCE = 'https://{instance}';
/** Mastodon's maximum page size for follow lists. */
const PAGE_SIZE = 80;
/** 200 pages of 80: far beyond a person's follow list, and a stop for a server whose Link never ends. */
const MAX_PAGES = 200;

/** @param {string} code @param {string} message */
function failure(code, message) {
  return Object.assign(new Error(message), { code });
}

/** @param {PluginContext} ctx */
async function authorised(ctx) {
  const token = await ctx.accessToken();
  if (!token) throw failure('not_bound', 'no Mastodon account is bound for this call');
  return { authorization: `Bearer ${token}`, accept: 'application/json' };
}

/** @param {PluginContext} ctx @param {string} url @param {Record<string, string>} headers */
async function getJson(ctx, url, headers) {
  const response = await ctx.fetch(url, { headers });
  if (response.status === 401 || response.status === 403) throw failure('unauthorized', 'the instance refused the token; bind the account again');
  if (response.status === 429) throw failure('rate_limited', 'the instance asks to slow down; try again later');
  if (!response.ok) throw failure('instance_error', `the instance answered ${response.status}`);
  return { body: await response.json(), link: response.headers.link };
}

/**
 * The `rel="next"` URL of an RFC 8288 Link header, as Mastodon paginates follow lists.
 * @param {unknown} header
 * @returns {string | undefined}
 */
export function nextLink(header) {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (match && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

/** @type {Record<string, string>} */
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Profile notes and field values are HTML; links keep their target in the text so tel: and mailto: count.
 * @param {unknown} html
 */
export function plainText(html) {
  return String(html ?? '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>/gi, ' $1 ')
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (/** @type {string} */ whole, /** @type {string} */ name) => {
      if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/**
 * International numbers written in a profile: `+49 151 1234-5678`, `tel:+4915112345678`. The host keeps only valid E.164.
 * @param {string} text
 */
export function phonesIn(text) {
  const found = new Set();
  for (const match of text.matchAll(/\+\d[\d\s().-]{5,22}\d/g)) {
    const digits = match[0].replace(/\D/g, '');
    if (digits.length >= 7 && digits.length <= 15) found.add(`+${digits}`);
  }
  return [...found];
}

/** @param {string} text */
export function emailsIn(text) {
  return [...new Set([...text.matchAll(/(?:mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g)].map((match) => (match[1] ?? '').toLowerCase()))];
}

/**
 * What a profile says about its owner: the note and every field's name and value.
 * @param {MastodonAccount} account
 */
function profileText(account) {
  /** @type {unknown[]} */
  const fields = Array.isArray(account.fields) ? account.fields : [];
  const parts = fields.flatMap((field) => {
    if (field === null || typeof field !== 'object') return [];
    const { name, value } = /** @type {{ name?: unknown, value?: unknown }} */ (field);
    return [name, value];
  });
  return [account.note, ...parts].map(plainText).join('\n');
}

/**
 * `user@server` for the launch templates; a local account's `acct` has no server, its profile URL does.
 * @param {MastodonAccount} account
 */
function identityOf(account) {
  const [handle, remote] = String(account.acct ?? account.username ?? '').split('@');
  let server = remote;
  if (!server) {
    try {
      server = new URL(String(account.url)).host;
    } catch {
      server = undefined;
    }
  }
  const text = profileText(account);
  const email = emailsIn(text)[0];
  return {
    contact: {
      ...(account.display_name ? { displayName: String(account.display_name) } : handle ? { displayName: handle } : {}),
      phones: phonesIn(text),
      identity: {
        ...(handle ? { handle } : {}),
        ...(server ? { server } : {}),
        ...(account.id !== undefined ? { id: String(account.id) } : {}),
        ...(email ? { email } : {}),
      },
    },
    text,
  };
}

/** @type {PluginAdapter} */
const adapter = {
  async importContacts(ctx) {
    const headers = await authorised(ctx);
    const me = (await getJson(ctx, `${INSTANCE}/api/v1/accounts/verify_credentials`, headers)).body;
    if (me === null || typeof me !== 'object' || !('id' in me) || typeof me.id !== 'string') throw failure('instance_error', 'verify_credentials answered without an account id');
    /** @type {ImportedContact[]} */
    const contacts = [];
    const seen = new Set();
    /** @type {string | undefined} */
    let url = `${INSTANCE}/api/v1/accounts/${encodeURIComponent(me.id)}/following?limit=${PAGE_SIZE}`;
    for (let page = 0; url !== undefined && page < MAX_PAGES; page += 1) {
      const { body, link } = await getJson(ctx, url, headers);
      if (!Array.isArray(body)) throw failure('instance_error', 'the following list is not an array');
      for (const account of body) {
        if (!account || seen.has(account.id)) continue;
        seen.add(account.id);
        contacts.push(identityOf(account).contact);
      }
      url = body.length === 0 ? undefined : nextLink(link);
    }
    return contacts;
  },

  // Mastodon has no phone directory; an account matches when its own profile publishes the number.
  async lookupIdentity(ctx, phone) {
    const headers = await authorised(ctx);
    const digits = phone.replace(/\D/g, '');
    const query = new URLSearchParams({ q: phone, type: 'accounts', limit: '10', resolve: 'false' });
    const { body } = await getJson(ctx, `${INSTANCE}/api/v2/search?${query}`, headers);
    const found = body !== null && typeof body === 'object' && 'accounts' in body ? body.accounts : undefined;
    /** @type {MastodonAccount[]} */
    const accounts = Array.isArray(found) ? found : [];
    for (const account of accounts) {
      const { contact } = identityOf(account);
      if (contact.phones.some((found) => found.replace(/\D/g, '') === digits)) return contact.identity;
    }
    return undefined;
  },
};

export default adapter;
