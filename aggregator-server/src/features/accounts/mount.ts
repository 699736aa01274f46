import type { Express } from 'express';
import type { ServerConfig } from '../../config.js';
import type { Storage } from '../../db/database.js';
import { accountsRoutes } from '#common/contract/routes/accounts.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { Clock } from '../../platform/clock.js';
import type { Keyring } from '../../platform/crypto.js';
import type { Logger } from '../../platform/logger.js';
import type { PluginCatalogue } from '../plugins-catalogue/catalogue.js';
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
 * Wires account binding into the app: one call from server.ts, so this feature and the rest of the
 * server can change independently. The catalogue (which networks offer OAuth) is the plugins feature's,
 * passed in.
 */
export function mountAccounts(
  app: Express,
  mount: MountRoute,
  deps: {
    config: ServerConfig;
    storage: Storage;
    keyring: Keyring;
    catalogue: PluginCatalogue;
    clock: Clock;
    log: Logger;
    /** The server's own URL once it listens: the public origin of a loopback-only server without PUBLIC_URL. */
    listenUrl: () => string | undefined;
    hostResolver?: HostResolver;
  },
): { accounts: AccountsService } {
  const { config, storage, keyring, catalogue, clock, log } = deps;
  const repo = new KyselyAccountsRepository(storage.db);
  const sealer = new Sealer(keyring);
  const providers = new OAuthProviders({ catalogue, clients: loadOAuthClients(config.oauthClientsFile), repo, sealer, clock, allowPrivateInstances: config.oauthAllowPrivateInstances, ...(deps.hostResolver ? { resolver: deps.hostResolver } : {}) });
  const accounts = new AccountsService({ repo, providers, sealer, clock, log });
  // Redirect URIs and authorize links never come from the Host header (see publicOriginResolver).
  const publicBase = publicOriginResolver(config, deps.listenUrl);
  app.use([accountsRoutes.oauthAuthorize.path, accountsRoutes.oauthCallback.path], onlyAtPublicHost(publicBase));
  app.use(accountsRouter(mount, { accounts, publicBase }));
  app.use(oauthBrowserRouter(mount, { accounts, publicBase, clock, log }));
  return { accounts };
}
