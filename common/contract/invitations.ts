import { z } from 'zod';
import { e164Schema } from './contacts.js';

/** Invite a person of my book who does not use Switchboard, by SMS sent by the server in my language. */
export const invitationRequest = z.object({
  phone: e164Schema,
  language: z.enum(['en', 'zh-CN']).default('en'),
});
export type InvitationRequest = z.infer<typeof invitationRequest>;

/** The same answer whether or not the number belongs to a user: an invitation reveals nothing. */
export const invitationResponse = z.object({ sent: z.literal(true) });
