import { z } from 'zod';
import { pluginIdSchema } from '../../plugin-manifest/plugin-id.js';
import { defineRoutes } from '../route.js';
import {
  boundAccountsResponse,
  oauthTokens,
  redeemHandoffRequest,
  redeemHandoffResponse,
  refreshTokenRequest,
  revokeTokenRequest,
  revokeTokenResponse,
  startOAuthRequest,
  startOAuthResponse,
} from '../accounts.js';

const tag = 'accounts';
const pluginParams = z.object({ plugin: pluginIdSchema });

/**
 * Binding a network account with OAuth2: the server holds the client secrets, runs the browser's side,
 * hands the tokens to the desktop once and keeps only which networks a user bound.
 */
export const accountsRoutes = defineRoutes({
  boundAccounts: {
    method: 'get',
    path: '/v1/me/accounts',
    auth: 'session',
    tag,
    summary: 'The networks I bound.',
    response: { kind: 'json', status: 200, schema: boundAccountsResponse, description: 'Bound networks, no tokens.' },
    errors: [],
  },
  unbindAccount: {
    method: 'delete',
    path: '/v1/me/accounts/:plugin',
    auth: 'session',
    tag,
    summary: 'Forget that I bound a network.',
    params: pluginParams,
    response: { kind: 'empty', status: 204, description: 'Forgotten.' },
    errors: ['not_found'],
  },
  startOAuth: {
    method: 'post',
    path: '/v1/me/accounts/:plugin/oauth/start',
    auth: 'session',
    tag,
    summary: 'Start binding: a one-time page that sends the browser on to the network.',
    params: pluginParams,
    body: startOAuthRequest,
    response: { kind: 'json', status: 201, schema: startOAuthResponse, description: 'Where to open the browser.' },
    errors: ['not_found', 'oauth_not_supported', 'oauth_not_configured', 'instance_required', 'provider_error'],
  },
  redeemHandoff: {
    method: 'post',
    path: '/v1/me/accounts/:plugin/oauth/redeem',
    auth: 'session',
    tag,
    summary: 'Collect the tokens once, with the handoff id the browser brought back.',
    params: pluginParams,
    body: redeemHandoffRequest,
    response: { kind: 'json', status: 200, schema: redeemHandoffResponse, description: 'The tokens; the server forgets them.' },
    errors: ['not_found', 'handoff_not_found'],
  },
  refreshToken: {
    method: 'post',
    path: '/v1/oauth/:plugin/refresh',
    auth: 'session',
    tag,
    summary: 'Refresh a network token with the server’s client secret (the server remembers nothing).',
    params: pluginParams,
    body: refreshTokenRequest,
    response: { kind: 'json', status: 200, schema: oauthTokens, description: 'Fresh tokens.' },
    errors: ['not_found', 'oauth_not_supported', 'oauth_not_configured', 'instance_required', 'provider_error'],
  },
  revokeToken: {
    method: 'post',
    path: '/v1/oauth/:plugin/revoke',
    auth: 'session',
    tag,
    summary: 'Revoke a network token at the network, when it offers revocation.',
    params: pluginParams,
    body: revokeTokenRequest,
    response: { kind: 'json', status: 200, schema: revokeTokenResponse, description: 'Whether the network revoked it.' },
    errors: ['not_found', 'oauth_not_supported', 'oauth_not_configured', 'instance_required', 'provider_error'],
  },
  oauthAuthorize: {
    method: 'get',
    path: '/v1/oauth/:plugin/authorize',
    auth: 'public',
    tag,
    summary: 'The browser’s first stop: spends the start ticket and goes on to the network with state and PKCE.',
    params: pluginParams,
    query: z.object({ start: z.string().min(16).max(128) }),
    invalidInput: 'invalid_state',
    response: { kind: 'redirect', status: 302, description: 'To the network’s authorization page.' },
    errors: ['not_found', 'invalid_state', 'oauth_not_configured'],
  },
  oauthCallback: {
    method: 'get',
    path: '/v1/oauth/:plugin/callback',
    auth: 'public',
    tag,
    summary: 'Where the network sends the browser back; exchanges the code and returns to the desktop with a handoff id.',
    params: pluginParams,
    query: z.object({
      state: z.string().max(512).optional(),
      code: z.string().max(4096).optional(),
      error: z.string().max(512).optional(),
    }),
    invalidInput: 'invalid_state',
    response: { kind: 'redirect', status: 303, description: 'To the desktop’s return address, with `handoff` or `error`.' },
    errors: ['not_found', 'invalid_state'],
  },
});
