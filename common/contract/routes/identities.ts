import { z } from 'zod';
import { pluginIdSchema } from '../../plugin-manifest/plugin-id.js';
import { defineRoutes } from '../route.js';
import { ownIdentities, ownIdentity, publishIdentityRequest } from '../identities.js';

const tag = 'identities';
const pluginParams = z.object({ pluginId: pluginIdSchema });

/** What I publish about my own accounts on other networks, so that a contact's click reaches me. */
export const identitiesRoutes = defineRoutes({
  myIdentities: {
    method: 'get',
    path: '/v1/me/identities',
    auth: 'session',
    tag,
    summary: 'My published identities, by plugin id.',
    response: { kind: 'json', status: 200, schema: ownIdentities, description: 'Plugin id to its field values (and `visibleTo` when chosen).' },
    errors: [],
  },
  publishIdentity: {
    method: 'put',
    path: '/v1/me/identities/:pluginId',
    auth: 'session',
    tag,
    summary: 'Publish or change my identity on one network; the fields are those its manifest declares.',
    params: pluginParams,
    body: publishIdentityRequest,
    response: { kind: 'json', status: 200, schema: ownIdentity, description: 'The stored value.' },
    errors: ['validation_failed', 'not_found'],
  },
  removeIdentity: {
    method: 'delete',
    path: '/v1/me/identities/:pluginId',
    auth: 'session',
    tag,
    summary: 'Stop publishing my identity on one network.',
    params: pluginParams,
    response: { kind: 'empty', status: 204, description: 'Removed (also when there was none).' },
    errors: ['not_found'],
  },
});
