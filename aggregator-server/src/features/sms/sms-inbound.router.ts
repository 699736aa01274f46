import { timingSafeEqual } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { smsRoutes as routes } from '#common/contract/routes/sms.js';
import { ApiError } from '../../http/api-error.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { InboundSms, SmsInboundService } from './sms-inbound.service.js';
import { validTwilioSignature } from './twilio-signature.js';

const bodyLimit = '32kb';
const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Kannel's post-url sends the text alone as the body (text/plain in the message's charset). */
const textBodyAsField: RequestHandler = (req, _res, next) => {
  if (typeof req.body === 'string') req.body = { text: req.body };
  next();
};

type Fields = { from?: string | undefined; to?: string | undefined; text?: string | undefined; ts?: string | undefined; id?: string | undefined };

function inboundOf(query: Fields, body: Fields | undefined): InboundSms {
  const merged = { ...query, ...Object.fromEntries(Object.entries(body ?? {}).filter(([, value]) => value !== undefined)) };
  if (merged.from === undefined || merged.from.trim() === '') throw new ApiError(400, 'validation_failed', 'from: the sender is missing');
  return { from: merged.from, to: merged.to, text: merged.text ?? '', ts: merged.ts, id: merged.id };
}

export type SmsInboundRouterOptions = {
  inbound: SmsInboundService;
  /** SMS_INBOUND_SECRET; without it the gateway route answers 404. */
  secret: string | undefined;
  /** With SMS_PROVIDER=twilio: the auth token signing Twilio's webhooks, and the origin Twilio calls; otherwise 404. */
  twilio: { authToken: string; publicUrl: string | undefined } | undefined;
  /** With the outbox provider: the stand-in phone's route. */
  devOutbox: boolean;
};

/** POST/GET /v1/sms/inbound (Kannel or any gateway), POST /v1/sms/twilio, POST /v1/dev/sms/inbound. */
export function smsInboundRouter(mount: MountRoute, options: SmsInboundRouterOptions): Router {
  const router = Router();
  const { inbound, secret, twilio } = options;
  const notServed = (req: express.Request) => new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`);
  // Both gateway routes exist on every server and answer 404 until their secret is configured.
  router.use(routes.smsInbound.path, express.urlencoded({ extended: false, limit: bodyLimit }), express.text({ type: 'text/*', limit: bodyLimit }), textBodyAsField);
  const guard = (req: express.Request, key: string | undefined) => {
    if (secret === undefined) throw notServed(req);
    const header = req.get('x-sms-key');
    if (!sameSecret(key ?? header, secret)) throw new ApiError(401, 'unauthorized', 'inbound SMS need the gateway key (?key= or X-Sms-Key)');
  };
  mount(router, routes.smsInbound, async ({ query, body, req }) => {
    guard(req, query.key);
    await inbound.receive('kannel', inboundOf(query, body));
  });
  mount(router, routes.smsInboundByGet, async ({ query, req }) => {
    guard(req, query.key);
    await inbound.receive('kannel', inboundOf(query, undefined));
  });
  // The signature covers the form exactly as sent: it is checked before anything else reads it.
  router.use(routes.twilioInbound.path, express.urlencoded({ extended: false, limit: bodyLimit }), (req, _res, next) => {
    if (twilio === undefined) throw notServed(req);
    const origin = twilio.publicUrl ?? `${req.protocol}://${req.get('host') ?? ''}`;
    const params = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, string | string[]>;
    if (!validTwilioSignature(twilio.authToken, origin + req.originalUrl, params, req.get('x-twilio-signature'))) {
      throw new ApiError(401, 'unauthorized', 'the request is not signed by Twilio');
    }
    next();
  });
  mount(router, routes.twilioInbound, async ({ body, res }) => {
    await inbound.receive('twilio', { from: body.From, to: body.To, text: body.Body, id: body.MessageSid });
    res.status(200).type('text/xml').send(emptyTwiml);
  });
  if (options.devOutbox) {
    mount(router, routes.devSmsInbound, ({ body }) => inbound.receive('dev', body));
  }
  return router;
}
