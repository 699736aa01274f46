import type { RouteDefinition } from './route.js';
import { accountsRoutes } from './routes/accounts.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { contactsRoutes } from './routes/contacts.js';
import { identitiesRoutes } from './routes/identities.js';
import { identityRoutes } from './routes/identity.js';
import { interworkingRoutes } from './routes/interworking.js';
import { messagesRoutes } from './routes/messages.js';
import { invitationRoutes } from './routes/invitations.js';
import { keyExchangeRoutes } from './routes/key-exchange.js';
import { platformRoutes } from './routes/platform.js';
import { privacyRoutes } from './routes/privacy.js';
import { postsRoutes } from './routes/posts.js';
import { smsRoutes } from './routes/sms.js';
import { callsRoutes } from './routes/calls.js';

/**
 * Every HTTP route of the Switchboard server, and the only place its paths are written. The server mounts
 * handlers from this table (a route missing here cannot be served), the typed client calls it, and
 * `GET /v1/openapi.json` describes it.
 */
export const routes = {
  ...platformRoutes,
  ...identityRoutes,
  ...contactsRoutes,
  ...invitationRoutes,
  ...keyExchangeRoutes,
  ...privacyRoutes,
  ...accountsRoutes,
  ...catalogueRoutes,
  ...messagesRoutes,
  ...identitiesRoutes,
  ...interworkingRoutes,
  ...postsRoutes,
  ...smsRoutes,
  ...callsRoutes,
};

export type Routes = typeof routes;
export type RouteName = keyof Routes;

/** The table as a list, for the server's checks, the OpenAPI document and tests. */
export const routeList: readonly (RouteDefinition & { name: string })[] = Object.entries(routes).map(([name, route]) => ({ ...route, name }));

export { apiPrefix, routePath, type RouteDefinition } from './route.js';
