import { defineRoutes } from '../route.js';
import { iceServersResponse } from '../calls.js';

const tag = 'calls';

/** Calls (M26) are signalled over the socket; HTTP hands out the ICE servers with short-lived TURN credentials. */
export const callsRoutes = defineRoutes({
  callIceServers: {
    method: 'get',
    path: '/v1/calls/ice-servers',
    auth: 'session',
    tag,
    summary: 'The STUN/TURN servers for a call, with TURN credentials that expire after `ttl` seconds (none when the server has no TURN).',
    response: { kind: 'json', status: 200, schema: iceServersResponse, description: 'The ICE servers.' },
    errors: [],
  },
});
