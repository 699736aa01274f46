import fs from 'node:fs';
import path from 'node:path';
import { routePath, routes } from '#common/contract/routes.js';
import { startOAuthServer, type TestOAuthServer } from '../support/oidc.js';
import { LogCapture, startTestServer, tempDir, type TestServer, type TestServerOptions } from '../support/test-server.js';

export type BindingWorld = {
  oauth: TestOAuthServer;
  server: TestServer;
  logs: LogCapture;
  clientsFile: string;
  /** Every byte the server keeps on disk for its database: the file and its WAL. */
  databaseBytes(): Buffer;
  close(): Promise<void>;
};

/**
 * A Switchboard server whose Slack plugin points at a real OAuth2 server (oidc-provider) on loopback,
 * through OAUTH_CLIENTS_FILE as an operator would configure it. Logs are captured at debug level.
 */
export async function startBindingWorld(options: { clients?: Record<string, Record<string, unknown>>; server?: TestServerOptions } = {}): Promise<BindingWorld> {
  const oauth = await startOAuthServer();
  const dir = tempDir('switchboard-oauth-');
  const clientsFile = path.join(dir, 'oauth-clients.json');
  const clients = {
    slack: {
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      authorizationUrl: oauth.endpoints.authorization,
      tokenUrl: oauth.endpoints.token,
      revocationUrl: oauth.endpoints.revocation,
      // oidc-provider grants only scopes it knows; Slack's own would be dropped.
      scopes: ['openid'],
    },
    ...options.clients,
  };
  fs.writeFileSync(clientsFile, JSON.stringify(clients), { mode: 0o600 });
  const logs = new LogCapture();
  const server = await startTestServer({
    ...options.server,
    // The Mastodon stand-in listens on 127.0.0.1, which production refuses as an instance address.
    env: { LOG_LEVEL: 'debug', OAUTH_CLIENTS_FILE: clientsFile, OAUTH_ALLOW_PRIVATE_INSTANCES: '1', ...options.server?.env },
    logDestination: logs,
  });
  oauth.configure([server.url + routePath(routes.oauthCallback, { plugin: 'slack' })]);
  const dbFile = path.join(server.dataDir, 'switchboard.sqlite');
  return {
    oauth,
    server,
    logs,
    clientsFile,
    databaseBytes: () => Buffer.concat([dbFile, `${dbFile}-wal`].filter((file) => fs.existsSync(file)).map((file) => fs.readFileSync(file))),
    async close() {
      await server.close();
      await oauth.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
