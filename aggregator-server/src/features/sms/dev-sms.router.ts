import { Router } from 'express';
import { z } from 'zod';
import { parseBody } from '../../http/validate.js';
import type { OutboxGateway } from './outbox-gateway.js';

const query = z.object({ to: z.string().max(32).optional() });

/** GET /v1/dev/sms: the outbox as a phone would show it. Mounted only with the outbox provider. */
export function devSmsRouter(outbox: OutboxGateway): Router {
  const router = Router();
  router.get('/v1/dev/sms', (req, res) => {
    const { to } = parseBody(query, req.query);
    // An unencoded "+" in a query string arrives as a space; accept both spellings of E.164.
    const recipient = to === undefined ? undefined : to.trim().replace(/^(?=\d)/, '+');
    res.json(outbox.list(recipient));
  });
  return router;
}
