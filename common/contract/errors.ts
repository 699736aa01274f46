import { z } from 'zod';

/** Every machine-readable error code a Switchboard server or client may answer with. */
export const errorCodes = [
  'validation_failed',
  'invalid_request',
  'invalid_json',
  'payload_too_large',
  'not_found',
  'method_not_allowed',
  'unauthorized',
  'forbidden',
  'csrf_failed',
  'confirmation_required',
  'invalid_phone',
  'invalid_code',
  'too_many_attempts',
  'too_many_requests',
  'resend_too_soon',
  'expired',
  'invalid_ticket',
  'invalid_credentials',
  'device_blocked',
  'phone_in_use',
  'phone_not_found',
  'cannot_remove_primary',
  'version_conflict',
  // Account binding (M19)
  'oauth_not_supported',
  'oauth_not_configured',
  'instance_required',
  'invalid_state',
  'handoff_not_found',
  'access_denied',
  'provider_error',
  'keychain_unavailable',
  // Network hardening (issue 10): refresh only of a bound account, no compressed bodies, socket caps.
  'not_bound',
  'unsupported_media_type',
  'too_many_connections',
  // Messages (M22, M23, M25)
  'not_a_user',
  'blocked',
  'too_large',
  'rate_limited',
  'not_a_member',
  'not_a_contact',
  // The person's privacy setting: who may add them to groups.
  'group_add_refused',
  'group_full',
  'unsupported_type',
  // End-to-end book key (issue 12 item 7): a device's key replaced under an approval, a second book key.
  'key_changed',
  'recovery_exists',
  // Profile, posts and albums (issue 16): a picture that is not the user's own upload, not a picture, a cap.
  'unknown_attachment',
  'not_a_picture',
  'limit_reached',
  // SMS (M24): the number sent STOP.
  'sms_opted_out',
  // Calls (M26): the callee may not be reached by this caller; the caller's device is in a call already.
  'call_not_allowed',
  'already_in_call',
  'not_implemented',
  'unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export const errorBodySchema = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
    })
    .passthrough(),
});

export type ErrorBody = {
  error: { code: ErrorCode; message: string; [detail: string]: unknown };
};
