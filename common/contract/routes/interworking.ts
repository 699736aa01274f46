import { defineRoutes } from '../route.js';
import { outsideContact, outsideContactParams, outsideContacts } from '../interworking.js';

const tag = 'interworking';

/**
 * Interworking (M28): the outside addresses (XMPP) that may reach me at `<my E.164 digits>@<component
 * domain>`. A message from any other address is refused by the bridge and stored nowhere.
 */
export const interworkingRoutes = defineRoutes({
  myOutsideContacts: {
    method: 'get',
    path: '/v1/me/outside-contacts',
    auth: 'session',
    tag,
    summary: 'The outside addresses I allow to reach me, with their presence on their network.',
    response: { kind: 'json', status: 200, schema: outsideContacts, description: 'Newest first.' },
    errors: [],
  },
  allowOutsideContact: {
    method: 'put',
    path: '/v1/me/outside-contacts/:address',
    auth: 'session',
    tag,
    summary: 'Allow an outside address (`xmpp:alice@example.org`) to reach me; the bridge asks for its presence.',
    params: outsideContactParams,
    response: { kind: 'json', status: 200, schema: outsideContact, description: 'The allowed address (also when it was allowed already).' },
    errors: ['not_found', 'validation_failed', 'unavailable'],
  },
  removeOutsideContact: {
    method: 'delete',
    path: '/v1/me/outside-contacts/:address',
    auth: 'session',
    tag,
    summary: 'Stop allowing an outside address; its messages are refused from now on.',
    params: outsideContactParams,
    response: { kind: 'empty', status: 204, description: 'Removed (also when it was not allowed).' },
    errors: [],
  },
});
