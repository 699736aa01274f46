import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * panva's oidc-provider on loopback: a real OAuth2 authorization server standing where a network's
 * (Slack's, Discord's, ...) would be. One confidential client with a secret, PKCE required, refresh
 * tokens, RFC 7009 revocation, RFC 7662 introspection (to check what is still active) and the
 * development login pages, which `browse` fills in like a person would.
 */
export type TestOAuthServer = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  endpoints: { authorization: string; token: string; revocation: string; introspection: string };
  /** Starts the provider proper, once the redirect URI (the Switchboard server's callback) is known. */
  configure(redirectUris: string[]): void;
  /** RFC 7662: whether the provider still honours this token. */
  isActive(token: string): Promise<boolean>;
  close(): Promise<void>;
};

export async function startOAuthServer(): Promise<TestOAuthServer> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end('not configured');
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'switchboard-test-client';
  const clientSecret = `client-secret-${Math.random().toString(36).slice(2)}-that-must-never-be-logged`;
  const endpoints = {
    authorization: `${issuer}/auth`,
    token: `${issuer}/token`,
    revocation: `${issuer}/token/revocation`,
    introspection: `${issuer}/token/introspection`,
  };

  return {
    issuer,
    clientId,
    clientSecret,
    endpoints,
    configure(redirectUris) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: redirectUris,
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            // passport-oauth2 (through the `oauth` package) sends the secret in the form body.
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        // Confidential clients too: no code is exchanged without its verifier.
        pkce: { required: () => true },
        features: {
          devInteractions: { enabled: true },
          revocation: { enabled: true },
          introspection: { enabled: true },
        },
        issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
        scopes: ['openid', 'offline_access'],
        cookies: { keys: ['oidc-test-cookie-key'] },
        ttl: { AccessToken: 3600, RefreshToken: 86_400, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 86_400, IdToken: 3600 },
        findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
      });
      handler = provider.callback();
    },
    async isActive(token) {
      const response = await fetch(endpoints.introspection, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: clientId, client_secret: clientSecret }).toString(),
      });
      const body = (await response.json()) as { active?: boolean };
      return body.active === true;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type BrowseResult = { url: string; status: number; body: string; visited: string[] };

/**
 * A minimal browser over fetch: follows redirects across origins with a cookie jar per host, and fills
 * oidc-provider's development login (any name, any password) and consent forms. Stops at the first URL
 * `stopAt` accepts, without requesting it, so a test can look at (or tamper with) a redirect.
 */
export async function browse(startUrl: string, options: { stopAt?: (url: URL) => boolean; login?: string; maxSteps?: number } = {}): Promise<BrowseResult> {
  const jar = new Map<string, Map<string, string>>();
  const visited: string[] = [];
  let request: { url: string; method: 'GET' | 'POST'; form?: URLSearchParams } = { url: startUrl, method: 'GET' };
  for (let step = 0; step < (options.maxSteps ?? 25); step += 1) {
    const url = new URL(request.url);
    if (options.stopAt?.(url)) return { url: url.toString(), status: 0, body: '', visited };
    visited.push(url.toString());
    const cookies = jar.get(url.host) ?? new Map<string, string>();
    const response = await fetch(url, {
      method: request.method,
      redirect: 'manual',
      headers: {
        accept: 'text/html,application/xhtml+xml',
        ...(cookies.size ? { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {}),
        ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: request.form?.toString(),
    });
    rememberCookies(jar, url.host, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      request = { url: new URL(location, url).toString(), method: 'GET' };
      continue;
    }
    const body = await response.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(body);
    if (response.ok && form?.[1] && form[2] !== undefined) {
      const fields = new URLSearchParams();
      for (const input of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) {
        const name = input[1] ?? '';
        const value = /value="([^"]*)"/.exec(input[0])?.[1];
        fields.set(name, value ?? (name === 'login' ? (options.login ?? 'alice') : name === 'password' ? 'any-password' : ''));
      }
      request = { url: new URL(form[1].replaceAll('&amp;', '&'), url).toString(), method: 'POST', form: fields };
      continue;
    }
    return { url: url.toString(), status: response.status, body, visited };
  }
  throw new Error(`browse: more than ${options.maxSteps ?? 25} steps from ${startUrl}: ${visited.join(' -> ')}`);
}

function rememberCookies(jar: Map<string, Map<string, string>>, host: string, setCookies: string[]): void {
  const cookies = jar.get(host) ?? new Map<string, string>();
  for (const header of setCookies) {
    const [pair, ...attributes] = header.split(';');
    const separator = pair?.indexOf('=') ?? -1;
    if (!pair || separator < 1) continue;
    const name = pair.slice(0, separator).trim();
    const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=Thu, 01 Jan 1970/i.test(attribute));
    if (expired) cookies.delete(name);
    else cookies.set(name, pair.slice(separator + 1).trim());
  }
  jar.set(host, cookies);
}
