import { z } from 'zod';
import { defineRoutes } from '../route.js';
import { listedUser, privacySettings, updatePrivacyRequest } from '../privacy.js';

const tag = 'privacy';
const otherUser = z.object({ userId: z.string().uuid() });

/** Who sees my activity, and the block and allow lists. */
export const privacyRoutes = defineRoutes({
  privacy: {
    method: 'get',
    path: '/v1/me/privacy',
    auth: 'session',
    tag,
    summary: 'My privacy settings.',
    response: { kind: 'json', status: 200, schema: privacySettings, description: 'The settings.' },
    errors: [],
  },
  updatePrivacy: {
    method: 'put',
    path: '/v1/me/privacy',
    auth: 'session',
    tag,
    summary: 'Change some of my privacy settings; the others stay.',
    body: updatePrivacyRequest,
    response: { kind: 'json', status: 200, schema: privacySettings, description: 'The settings now.' },
    errors: [],
  },
  blocklist: {
    method: 'get',
    path: '/v1/me/blocklist',
    auth: 'session',
    tag,
    summary: 'The people I blocked: they never see my activity and cannot reach me.',
    response: { kind: 'json', status: 200, schema: z.array(listedUser), description: 'Blocked users.' },
    errors: [],
  },
  block: {
    method: 'put',
    path: '/v1/me/blocklist/:userId',
    auth: 'session',
    tag,
    summary: 'Block a user.',
    params: otherUser,
    response: { kind: 'empty', status: 204, description: 'Blocked.' },
    errors: ['not_found'],
  },
  unblock: {
    method: 'delete',
    path: '/v1/me/blocklist/:userId',
    auth: 'session',
    tag,
    summary: 'Unblock a user.',
    params: otherUser,
    response: { kind: 'empty', status: 204, description: 'Unblocked.' },
    errors: ['not_found'],
  },
  allowlist: {
    method: 'get',
    path: '/v1/me/allowlist',
    auth: 'session',
    tag,
    summary: 'The people who see my activity when it is visible to my allowlist only.',
    response: { kind: 'json', status: 200, schema: z.array(listedUser), description: 'Allowed users.' },
    errors: [],
  },
  allow: {
    method: 'put',
    path: '/v1/me/allowlist/:userId',
    auth: 'session',
    tag,
    summary: 'Put a user on my allowlist.',
    params: otherUser,
    response: { kind: 'empty', status: 204, description: 'Allowed.' },
    errors: ['not_found'],
  },
  disallow: {
    method: 'delete',
    path: '/v1/me/allowlist/:userId',
    auth: 'session',
    tag,
    summary: 'Take a user off my allowlist.',
    params: otherUser,
    response: { kind: 'empty', status: 204, description: 'Removed.' },
    errors: ['not_found'],
  },
});
