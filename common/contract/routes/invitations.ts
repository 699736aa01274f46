import { defineRoutes } from '../route.js';
import { invitationRequest, invitationResponse } from '../invitations.js';

/** Invitations by SMS to people not on Switchboard (rate-limited per inviter and per number). */
export const invitationRoutes = defineRoutes({
  createInvitation: {
    method: 'post',
    path: '/v1/invitations',
    auth: 'session',
    tag: 'contacts',
    summary: 'Send an SMS invitation, in the inviter\'s language and with the inviter\'s number, to a number; the answer never says whether it is a user.',
    body: invitationRequest,
    response: { kind: 'json', status: 201, schema: invitationResponse, description: 'The invitation was sent.' },
    errors: ['validation_failed', 'too_many_requests'],
  },
});
