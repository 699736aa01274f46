import { Router } from 'express';
import { z } from 'zod';
import { authOf, clientIp } from '../../http/auth.js';
import { parseBody } from '../../http/validate.js';
import type { ContactsService } from './contacts.service.js';
import { parsePatchRequest, parseReplaceRequest } from './entry-validation.js';

const changesQuery = z.object({ since: z.coerce.number().int().min(0) });

/** Mounted behind requireAuth. */
export function contactsRouter(contacts: ContactsService): Router {
  const router = Router();

  router.put('/v1/me/address-book', async (req, res) => {
    const body = await parseReplaceRequest(req.body);
    res.json(await contacts.replace(authOf(res), body.entries, clientIp(req)));
  });

  router.patch('/v1/me/address-book', async (req, res) => {
    const body = await parsePatchRequest(req.body);
    res.json(await contacts.patch(authOf(res), body, clientIp(req)));
  });

  router.get('/v1/me/address-book', async (_req, res) => {
    res.json(await contacts.snapshot(authOf(res).user.id));
  });

  router.get('/v1/me/address-book/changes', async (req, res) => {
    const { since } = parseBody(changesQuery, req.query);
    res.json(await contacts.changesSince(authOf(res).user.id, since));
  });

  router.get('/v1/me/contacts', async (_req, res) => {
    res.json(await contacts.contacts(authOf(res).user.id));
  });

  return router;
}
