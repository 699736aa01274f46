import { z } from 'zod';
import { defineRoutes } from '../route.js';
import {
  addressBookChangesResponse,
  addressBookResponse,
  addressBookSnapshot,
  contactView,
  patchAddressBookRequest,
  replaceAddressBookRequest,
} from '../contacts.js';

const tag = 'contacts';

/** The address book (numbers only, details sealed end to end) and who of it uses Switchboard. */
export const contactsRoutes = defineRoutes({
  replaceAddressBook: {
    method: 'put',
    path: '/v1/me/address-book',
    auth: 'session',
    tag,
    summary: 'Replace the whole address book; answers which numbers belong to Switchboard users.',
    body: replaceAddressBookRequest,
    response: { kind: 'json', status: 200, schema: addressBookResponse, description: 'The new version and the matches.' },
    errors: ['payload_too_large', 'too_many_requests'],
  },
  patchAddressBook: {
    method: 'patch',
    path: '/v1/me/address-book',
    auth: 'session',
    tag,
    summary: 'Add and remove entries on top of `baseVersion`.',
    body: patchAddressBookRequest,
    response: { kind: 'json', status: 200, schema: addressBookResponse, description: 'The new version and the matches.' },
    errors: ['payload_too_large', 'too_many_requests', 'version_conflict'],
  },
  addressBook: {
    method: 'get',
    path: '/v1/me/address-book',
    auth: 'session',
    tag,
    summary: 'The whole book as another device of the same user pulls it (sealed details included).',
    response: { kind: 'json', status: 200, schema: addressBookSnapshot, description: 'Version, entries and matches.' },
    errors: [],
  },
  addressBookChanges: {
    method: 'get',
    path: '/v1/me/address-book/changes',
    auth: 'session',
    tag,
    summary: 'Changes after version `since`, pulled after an `address-book:changed` event.',
    query: z.object({ since: z.coerce.number().int().min(0) }),
    response: { kind: 'json', status: 200, schema: addressBookChangesResponse, description: 'The changes, or `complete: false` when too old.' },
    errors: [],
  },
  contacts: {
    method: 'get',
    path: '/v1/me/contacts',
    auth: 'session',
    tag,
    summary: 'The people of my book who use Switchboard, whether they have my number too, and whether I blocked them.',
    response: { kind: 'json', status: 200, schema: z.array(contactView), description: 'One entry per user.' },
    errors: [],
  },
});
