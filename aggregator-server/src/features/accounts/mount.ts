import type { Express } from 'express';
import type { ServerConfig } from '../../config.js';
import type { Storage } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import type { SessionService } from '../identity/session.service.js';
import { builtinPluginsDir, PluginCatalogue } from '../plugins-catalogue/catalogue.js';
import { catalogueRouter } from '../plugins-catalogue/catalogue.router.js';
import { KyselyAccountsRepository } from './accounts.kysely-repository.js';
import { accountsRouter } from './accounts.router.js';
import { AccountsService } from './accounts.service.js';
import { loadOAuthClients } from './oauth-clients.js';
import { oauthBrowserRouter } from './oauth-browser.router.js';
import { OAuthProviders } from './oauth-providers.js';
import { Sealer } from './sealing.js';
import type { HostResolver } from './public-host.js';
import { onlyAtPublicHost, publicOriginResolver } from './public-origin.js';

/**
 * Wires the plugin catalogue and account binding into the app: one call from server.ts, so this feature
 * and the rest of the server can change independently.
 */
export function mountAccounts(
  app: Express,
  deps: {
    config: ServerConfig;
    storage: Storage;
    keyring: Keyring;
    sessions: SessionService;
    clock: Clock;
    log: Logger;
    /** The server's own URL once it listens: the public origin of a loopback-only server without PUBLIC_URL. */
    listenUrl: () => string | undefined;
    hostResolver?: HostResolver;
    pluginsDir?: string;
  },
): { accounts: AccountsService; catalogue: PluginCatalogue } {
  const { config, storage, keyring, sessions, clock, log } = deps;
  const catalogue = PluginCatalogue.load(deps.pluginsDir ?? config.pluginsDir ?? builtinPluginsDir, log);
  const repo = new KyselyAccountsRepository(storage.db);
  const sealer = new Sealer(keyring);
  const providers = new OAuthProviders({ catalogue, clients: loadOAuthClients(config.oauthClientsFile), repo, sealer, clock, allowPrivateInstances: config.oauthAllowPrivateInstances, ...(deps.hostResolver ? { resolver: deps.hostResolver } : {}) });
  const accounts = new AccountsService({ repo, providers, sealer, clock, log });
  // Redirect URIs and authorize links never come from the Host header (see publicOriginResolver).
  const publicBase = publicOriginResolver(config, deps.listenUrl);
  app.use(['/v1/oauth/:plugin/authorize', '/v1/oauth/:plugin/callback'], onlyAtPublicHost(publicBase));
  app.use(catalogueRouter(catalogue));
  app.use(accountsRouter({ accounts, sessions, publicBase }));
  app.use(oauthBrowserRouter({ accounts, publicBase, clock, log }));
  return { accounts, catalogue };
}
