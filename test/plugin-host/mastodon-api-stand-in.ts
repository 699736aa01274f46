import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A STAND-IN for a Mastodon instance's REST API, because a real Mastodon (Rails, PostgreSQL, Redis,
 * Sidekiq) is a third-party service that cannot run here. It answers the documented endpoints the
 * adapter uses, in Mastodon's shapes: GET /api/v1/accounts/verify_credentials, GET
 * /api/v1/accounts/:id/following (max 80 per page, paginated with an RFC 8288 `Link: <…>; rel="next"`
 * header carrying `max_id`, as Mastodon does) and GET /api/v2/search?type=accounts.
 */
export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
  note: string;
  fields: { name: string; value: string; verified_at: string | null }[];
}

export interface MastodonApiStandIn {
  /** `127.0.0.1:<port>`, what a person types as their instance. */
  instance: string;
  /** Every request as `METHOD path?query`, with whether it carried the right token. */
  requests: { line: string; authorised: boolean }[];
  close(): Promise<void>;
}

export async function startMastodonApiStandIn(options: { token: string; me: MastodonAccount; following: MastodonAccount[] }): Promise<MastodonApiStandIn> {
  const requests: MastodonApiStandIn['requests'] = [];
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const authorised = req.headers.authorization === `Bearer ${options.token}`;
    requests.push({ line: `${req.method} ${url.pathname}${url.search}`, authorised });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    if (!authorised) return json(401, { error: 'The access token is invalid' });

    if (req.method === 'GET' && url.pathname === '/api/v1/accounts/verify_credentials') return json(200, options.me);

    const following = /^\/api\/v1\/accounts\/([^/]+)\/following$/.exec(url.pathname);
    if (req.method === 'GET' && following) {
      if (following[1] !== options.me.id) return json(404, { error: 'Record not found' });
      const limit = Math.min(Number(url.searchParams.get('limit') ?? '40'), 80);
      const maxId = url.searchParams.get('max_id');
      // Newest follow first, as Mastodon lists them; max_id pages towards older ones.
      const ordered = [...options.following].reverse();
      const start = maxId === null ? 0 : ordered.findIndex((account) => account.id === maxId) + 1;
      const page = ordered.slice(start, start + limit);
      const last = page.at(-1);
      const more = last !== undefined && start + limit < ordered.length;
      const headers: Record<string, string> = more ? { link: `<${origin}${url.pathname}?limit=${limit}&max_id=${last.id}>; rel="next", <${origin}${url.pathname}?limit=${limit}&since_id=${page[0]?.id}>; rel="prev"` } : {};
      return json(200, page, headers);
    }

    if (req.method === 'GET' && url.pathname === '/api/v2/search') {
      const query = (url.searchParams.get('q') ?? '').replace(/\D/g, '');
      const accounts = options.following.filter((account) => query !== '' && (account.note + JSON.stringify(account.fields)).replace(/\D/g, '').includes(query));
      return json(200, { accounts, statuses: [], hashtags: [] });
    }
    return json(404, { error: 'Record not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const instance = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  origin = `http://${instance}`;
  return {
    instance,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An account in Mastodon's shape; remote accounts have `acct` with their server. */
export function mastodonAccount(id: string, acct: string, displayName: string, profile: { note?: string; fields?: [string, string][] } = {}): MastodonAccount {
  const [username = acct, server = 'mastodon.example'] = acct.split('@');
  return {
    id,
    username,
    acct,
    display_name: displayName,
    url: `https://${server}/@${username}`,
    note: profile.note ?? '',
    fields: (profile.fields ?? []).map(([name, value]) => ({ name, value, verified_at: null })),
  };
}
