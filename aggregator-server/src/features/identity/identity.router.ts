import { Router } from 'express';
import { z } from 'zod';
import {
  addPhoneRequest,
  changePhoneRequest,
  checkCodeRequest,
  createSessionRequest,
  passwordSessionRequest,
  setPasswordRequest,
  setUserTypeRequest,
  startVerificationRequest,
  updateDeviceRequest,
} from '../../../../common/contract/identity.js';
import { ApiError } from '../../http/api-error.js';
import { authOf, bearerToken, clientIp, requireAuth } from '../../http/auth.js';
import { parseBody } from '../../http/validate.js';
import type { AccountService } from './account.service.js';
import type { SessionService } from './session.service.js';
import type { VerificationService } from './verification.service.js';

const uuidParam = z.string().uuid();
const loginsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function identityRouter(deps: {
  verifications: VerificationService;
  sessions: SessionService;
  accounts: AccountService;
  adminToken: string | undefined;
}): Router {
  const { verifications, sessions, accounts } = deps;
  const router = Router();
  const authed = requireAuth(sessions);

  router.post('/v1/auth/verifications', async (req, res) => {
    const body = parseBody(startVerificationRequest, req.body);
    res.status(201).json(await verifications.start(body, clientIp(req)));
  });

  router.post('/v1/auth/verifications/:verificationId/check', async (req, res) => {
    const verificationId = uuidParam.safeParse(req.params.verificationId);
    if (!verificationId.success) throw new ApiError(404, 'not_found', 'no such verification');
    const body = parseBody(checkCodeRequest, req.body);
    res.status(200).json(await verifications.check(verificationId.data, body.code, clientIp(req)));
  });

  router.post('/v1/auth/sessions', async (req, res) => {
    const body = parseBody(createSessionRequest, req.body);
    res.status(201).json(await sessions.loginWithTicket(body.ticket, body.device, clientIp(req)));
  });

  router.post('/v1/auth/password-sessions', async (req, res) => {
    const body = parseBody(passwordSessionRequest, req.body);
    res.status(201).json(await sessions.loginWithPassword(body, clientIp(req)));
  });

  router.delete('/v1/auth/sessions/current', authed, async (_req, res) => {
    await sessions.logout(authOf(res));
    res.status(204).end();
  });

  router.get('/v1/me', authed, async (_req, res) => {
    res.json(await accounts.me(authOf(res).user.id));
  });

  router.put('/v1/me/password', authed, async (req, res) => {
    const body = parseBody(setPasswordRequest, req.body);
    await accounts.setPassword(authOf(res), body);
    res.status(204).end();
  });

  router.post('/v1/me/phones', authed, async (req, res) => {
    const body = parseBody(addPhoneRequest, req.body);
    res.status(201).json(await accounts.addPhone(authOf(res).user.id, body.ticket));
  });

  router.put('/v1/me/phone', authed, async (req, res) => {
    const body = parseBody(changePhoneRequest, req.body);
    res.json(await accounts.changePrimaryPhone(authOf(res).user.id, body.ticket));
  });

  router.delete('/v1/me/phones/:phone', authed, async (req, res) => {
    await accounts.removePhone(authOf(res).user.id, String(req.params.phone));
    res.status(204).end();
  });

  router.get('/v1/me/devices', authed, async (_req, res) => {
    res.json(await accounts.devices(authOf(res)));
  });

  router.patch('/v1/me/devices/:deviceId', authed, async (req, res) => {
    const body = parseBody(updateDeviceRequest, req.body);
    await accounts.updateDevice(authOf(res).user.id, String(req.params.deviceId), body);
    res.status(204).end();
  });

  router.delete('/v1/me/devices/:deviceId', authed, async (req, res) => {
    await accounts.signOutDevice(authOf(res).user.id, String(req.params.deviceId));
    res.status(204).end();
  });

  router.get('/v1/me/logins', authed, async (req, res) => {
    const query = parseBody(loginsQuery, req.query);
    res.json(await accounts.logins(authOf(res).user.id, query.limit));
  });

  // Operators set user types (normal, paid, VIP); without SWITCHBOARD_ADMIN_TOKEN the route does not exist.
  router.put('/v1/admin/users/:userId/type', async (req, res) => {
    if (!deps.adminToken) throw new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`);
    if (bearerToken(req) !== deps.adminToken) throw new ApiError(401, 'unauthorized', 'admin token required');
    const userId = uuidParam.safeParse(req.params.userId);
    if (!userId.success) throw new ApiError(404, 'not_found', 'no such user');
    const body = parseBody(setUserTypeRequest, req.body);
    await accounts.setUserType(userId.data, body.type);
    res.status(204).end();
  });

  return router;
}
