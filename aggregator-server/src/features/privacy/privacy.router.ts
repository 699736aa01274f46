import { Router } from 'express';
import { z } from 'zod';
import { updatePrivacyRequest } from '../../../../common/contract/privacy.js';
import { ApiError } from '../../http/api-error.js';
import { authOf } from '../../http/auth.js';
import { parseBody } from '../../http/validate.js';
import type { ListKind } from './privacy.repository.js';
import type { PrivacyService } from './privacy.service.js';

const userIdParam = z.string().uuid();

/** Mounted behind requireAuth. */
export function privacyRouter(privacy: PrivacyService): Router {
  const router = Router();

  router.get('/v1/me/privacy', async (_req, res) => {
    res.json(await privacy.settings(authOf(res).user.id));
  });

  router.put('/v1/me/privacy', async (req, res) => {
    const body = parseBody(updatePrivacyRequest, req.body);
    res.json(await privacy.update(authOf(res).user.id, body));
  });

  for (const kind of ['blocklist', 'allowlist'] as const satisfies readonly ListKind[]) {
    router.get(`/v1/me/${kind}`, async (_req, res) => {
      res.json(await privacy.list(kind, authOf(res).user.id));
    });
    router.put(`/v1/me/${kind}/:userId`, async (req, res) => {
      await privacy.addToList(kind, authOf(res).user.id, parseUserId(req.params.userId));
      res.status(204).end();
    });
    router.delete(`/v1/me/${kind}/:userId`, async (req, res) => {
      await privacy.removeFromList(kind, authOf(res).user.id, parseUserId(req.params.userId));
      res.status(204).end();
    });
  }

  return router;
}

function parseUserId(value: unknown): string {
  const parsed = userIdParam.safeParse(value);
  if (!parsed.success) throw new ApiError(404, 'not_found', 'no such user');
  return parsed.data;
}
