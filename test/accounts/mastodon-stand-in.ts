import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A STAND-IN for a Mastodon instance's OAuth API, because a real Mastodon (Rails, PostgreSQL, Redis,
 * Sidekiq) cannot run here. It follows Mastodon's documented endpoints: POST /api/v1/apps registers a
 * client per instance (Mastodon's own registration, not RFC 7591), GET /oauth/authorize (approving at
 * once, as a signed-in person clicking "Authorize" would), POST /oauth/token with PKCE S256 checked,
 * POST /oauth/revoke, and GET /api/v1/accounts/verify_credentials to see whether a token still works.
 */
export type MastodonStandIn = {
  /** `127.0.0.1:<port>`: what a person types as their instance. */
  instance: string;
  registrations: { clientId: string; clientSecret: string; redirectUri: string; scopes: string }[];
  tokenIsValid(token: string): boolean;
  close(): Promise<void>;
};

export async function startMastodonStandIn(): Promise<MastodonStandIn> {
  const registrations: MastodonStandIn['registrations'] = [];
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; scope: string }>();
  const tokens = new Set<string>();
  const random = () => randomBytes(24).toString('base64url');

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');

    if (req.method === 'POST' && url.pathname === '/api/v1/apps') {
      if (!field('client_name') || !field('redirect_uris')) return json(422, { error: 'Validation failed: client_name and redirect_uris are required' });
      const registration = { clientId: random(), clientSecret: random(), redirectUri: field('redirect_uris'), scopes: field('scopes') || 'read' };
      registrations.push(registration);
      return json(200, { id: String(registrations.length), name: field('client_name'), redirect_uri: registration.redirectUri, client_id: registration.clientId, client_secret: registration.clientSecret });
    }
    if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
      const query = url.searchParams;
      const client = registrations.find((candidate) => candidate.clientId === query.get('client_id'));
      if (!client || client.redirectUri !== query.get('redirect_uri')) return json(400, { error: 'invalid_client' });
      if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) return json(400, { error: 'invalid_request' });
      const code = random();
      codes.set(code, { clientId: client.clientId, redirectUri: client.redirectUri, challenge: query.get('code_challenge') ?? '', scope: query.get('scope') ?? '' });
      const back = new URL(client.redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', query.get('state') ?? '');
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      const client = registrations.find((candidate) => candidate.clientId === field('client_id') && candidate.clientSecret === field('client_secret'));
      if (!client) return json(401, { error: 'invalid_client' });
      const grant = codes.get(field('code'));
      codes.delete(field('code'));
      const verified = grant && createHash('sha256').update(field('code_verifier')).digest('base64url') === grant.challenge;
      if (field('grant_type') !== 'authorization_code' || !grant || !verified || grant.redirectUri !== field('redirect_uri')) return json(400, { error: 'invalid_grant' });
      const token = random();
      tokens.add(token);
      return json(200, { access_token: token, token_type: 'Bearer', scope: grant.scope, created_at: Math.floor(Date.now() / 1000) });
    }
    if (req.method === 'POST' && url.pathname === '/oauth/revoke') {
      const client = registrations.find((candidate) => candidate.clientId === field('client_id') && candidate.clientSecret === field('client_secret'));
      if (!client) return json(403, { error: 'unauthorized_client' });
      tokens.delete(field('token'));
      return json(200, {});
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/accounts/verify_credentials') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      return token && tokens.has(token) ? json(200, { id: '1', username: 'alice' }) : json(401, { error: 'The access token is invalid' });
    }
    return json(404, { error: 'Record not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    instance: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    registrations,
    tokenIsValid: (token) => tokens.has(token),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
