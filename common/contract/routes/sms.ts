import { z } from 'zod';
import { defineRoutes } from '../route.js';

const tag = 'sms';

/**
 * One inbound SMS as a gateway hands it over (Kannel's `%p`, `%P`, `%a`/body, `%T`, `%I`): in the query
 * (get-url, or post-url with the text as the body), as a form, or as JSON. Every field may come from
 * either place; the server joins them.
 */
export const inboundSmsFields = z.object({
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  text: z.string().max(8000).optional(),
  /** When the phone sent it (Kannel `%T`, epoch seconds), part of the de-duplication key. */
  ts: z.string().max(64).optional(),
  /** The gateway's own id of the message (Kannel `%I`), the preferred de-duplication key. */
  id: z.string().max(128).optional(),
});

const inboundQuery = inboundSmsFields.extend({ key: z.string().max(256).optional() });

export const devInboundSms = z.object({
  from: z.string().min(1).max(64),
  text: z.string().min(1).max(8000),
  to: z.string().max(64).optional(),
  ts: z.string().max(64).optional(),
  id: z.string().max(128).optional(),
});

export const inboundSmsResult = z.object({ duplicate: z.boolean() });

/** Twilio's inbound messaging webhook: a form with many fields, of which these are used. */
export const twilioInboundForm = z.looseObject({
  From: z.string().max(64),
  To: z.string().max(64).optional(),
  Body: z.string().max(8000).default(''),
  MessageSid: z.string().max(64).optional(),
});

const inboundSummary =
  'An SMS from a phone, handed over by the operator\'s gateway (Kannel sms-service): sign-in, commands or a message; every answer goes back as an SMS. Needs SMS_INBOUND_SECRET as `?key=` or `X-Sms-Key`.';

/** Inbound SMS (seed 004): from the operator's gateway, from Twilio, and the outbox's stand-in phone. */
export const smsRoutes = defineRoutes({
  smsInbound: {
    method: 'post',
    path: '/v1/sms/inbound',
    auth: 'public',
    tag,
    summary: inboundSummary,
    query: inboundQuery,
    body: inboundSmsFields,
    response: { kind: 'empty', status: 204, description: 'Handled (or a repeat, dropped); answers go out as SMS.' },
    errors: ['unauthorized', 'invalid_phone'],
    servedOnlyWhen: 'SMS_INBOUND_SECRET is set; otherwise it answers 404',
  },
  smsInboundByGet: {
    method: 'get',
    path: '/v1/sms/inbound',
    auth: 'public',
    tag,
    summary: `${inboundSummary} The same for Kannel's get-url (all fields in the query).`,
    query: inboundQuery,
    response: { kind: 'empty', status: 204, description: 'Handled (or a repeat, dropped); answers go out as SMS.' },
    errors: ['unauthorized', 'invalid_phone'],
    servedOnlyWhen: 'SMS_INBOUND_SECRET is set; otherwise it answers 404',
  },
  twilioInbound: {
    method: 'post',
    path: '/v1/sms/twilio',
    auth: 'public',
    tag,
    summary: 'Twilio\'s inbound messaging webhook, checked with X-Twilio-Signature (HMAC-SHA1 with the auth token); answers an empty TwiML response, replies go out as SMS.',
    body: twilioInboundForm,
    response: { kind: 'bytes', status: 200, contentType: 'text/xml', description: 'An empty TwiML <Response/>.' },
    errors: ['unauthorized'],
    servedOnlyWhen: 'the server sends SMS through Twilio (SMS_PROVIDER=twilio); otherwise it answers 404',
  },
  devSmsInbound: {
    method: 'post',
    path: '/v1/dev/sms/inbound',
    auth: 'public',
    tag,
    summary: 'Development only: plays an SMS arriving from a phone; the answers appear in the outbox (GET /v1/dev/sms?to=).',
    body: devInboundSms,
    response: { kind: 'json', status: 200, schema: inboundSmsResult, description: 'Handled, or dropped as a repeat.' },
    errors: ['invalid_phone'],
    servedOnlyWhen: 'the server sends SMS to its outbox (SMS_PROVIDER=outbox, the development default)',
  },
});
