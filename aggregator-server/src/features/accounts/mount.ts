import type { Express, Request } from 'express';
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

/**
 * Wires the plugin catalogue and account binding into the app: one call from server.ts, so this feature
 * and the rest of the server can change independently.
 */
export function mountAccounts(
  app: Express,
  deps: { config: ServerConfig; storage: Storage; keyring: Keyring; sessions: SessionService; clock: Clock; log: Logger; pluginsDir?: string },
): { accounts: AccountsService; catalogue: PluginCatalogue } {
  const { config, storage, keyring, sessions, clock, log } = deps;
  const catalogue = PluginCatalogue.load(deps.pluginsDir ?? config.pluginsDir ?? builtinPluginsDir, log);
  const repo = new KyselyAccountsRepository(storage.db);
  const sealer = new Sealer(keyring);
  const providers = new OAuthProviders({ catalogue, clients: loadOAuthClients(config.oauthClientsFile), repo, sealer, clock, allowPrivateInstances: config.oauthAllowPrivateInstances });
  const accounts = new AccountsService({ repo, providers, sealer, clock, log });
  // Behind a proxy, `trust proxy` makes req.protocol and the host the ones the browser used.
  const publicBase = (req: Request) => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? `${config.host}:${config.port}`}`;
  app.use(catalogueRouter(catalogue));
  app.use(accountsRouter({ accounts, sessions, publicBase }));
  app.use(oauthBrowserRouter({ accounts, publicBase, clock, log }));
  return { accounts, catalogue };
}
