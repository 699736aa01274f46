import { Router } from 'express';
import { contactsRoutes as routes } from '#common/contract/routes/contacts.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { ContactsService } from './contacts.service.js';
import { parsePatchRequest, parseReplaceRequest } from './entry-validation.js';

export function contactsRouter(mount: MountRoute, contacts: ContactsService): Router {
  const router = Router();
  // Large bodies: validated a slice at a time (same rules as the table's schemas).
  mount(router, routes.replaceAddressBook, ({ auth, body, ip }) => contacts.replace(auth, body.entries, ip), { parseBody: parseReplaceRequest });
  mount(router, routes.patchAddressBook, ({ auth, body, ip }) => contacts.patch(auth, body, ip), { parseBody: parsePatchRequest });
  mount(router, routes.addressBook, ({ auth }) => contacts.snapshot(auth.user.id));
  mount(router, routes.addressBookChanges, ({ auth, query }) => contacts.changesSince(auth.user.id, query.since));
  mount(router, routes.contacts, ({ auth }) => contacts.contacts(auth.user.id));
  return router;
}
