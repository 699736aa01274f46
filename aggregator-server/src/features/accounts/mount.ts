import type { Express, Request } from 'express';
import type { ServerConfig } from '../../config.js';
import type { Storage } from '../../db/database.js';
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

/**
 * Wires account binding into the app: one call from server.ts, so this feature and the rest of the
 * server can change independently. The catalogue (which networks offer OAuth) is the plugins feature's,
 * passed in.
 */
export function mountAccounts(
  app: Express,
  mount: MountRoute,
  deps: { config: ServerConfig; storage: Storage; keyring: Keyring; catalogue: PluginCatalogue; clock: Clock; log: Logger },
): { accounts: AccountsService } {
  const { config, storage, keyring, catalogue, clock, log } = deps;
  const repo = new KyselyAccountsRepository(storage.db);
  const sealer = new Sealer(keyring);
  const providers = new OAuthProviders({ catalogue, clients: loadOAuthClients(config.oauthClientsFile), repo, sealer, clock, allowPrivateInstances: config.oauthAllowPrivateInstances });
  const accounts = new AccountsService({ repo, providers, sealer, clock, log });
  // Behind a proxy, `trust proxy` makes req.protocol and the host the ones the browser used.
  const publicBase = (req: Request) => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? `${config.host}:${config.port}`}`;
  app.use(accountsRouter(mount, { accounts, publicBase }));
  app.use(oauthBrowserRouter(mount, { accounts, publicBase, clock, log }));
  return { accounts };
}
