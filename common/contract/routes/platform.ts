import { z } from 'zod';
import { defineRoutes } from '../route.js';

const tag = 'server';

export const outboxMessage = z.object({ to: z.string(), body: z.string(), sentAt: z.string() });
export type OutboxMessage = z.infer<typeof outboxMessage>;

/** The server itself: liveness, its own description, and the development SMS outbox. */
export const platformRoutes = defineRoutes({
  health: {
    method: 'get',
    path: '/healthz',
    auth: 'public',
    tag,
    summary: 'Liveness for load balancers and scripts.',
    response: { kind: 'json', status: 200, schema: z.object({ ok: z.literal(true) }), description: 'The server is up.' },
    errors: [],
  },
  openApi: {
    method: 'get',
    path: '/v1/openapi.json',
    auth: 'public',
    tag,
    summary: 'This API as an OpenAPI 3.1 document, built from the same route table the server mounts.',
    response: { kind: 'json', status: 200, schema: z.looseObject({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) }), description: 'The OpenAPI document.' },
    errors: [],
  },
  devSms: {
    method: 'get',
    path: '/v1/dev/sms',
    auth: 'public',
    tag,
    summary: 'The development SMS outbox, newest first, as a phone would show it.',
    query: z.object({ to: z.string().max(32).optional() }),
    response: { kind: 'json', status: 200, schema: z.array(outboxMessage), description: 'Messages "sent".' },
    errors: [],
    servedOnlyWhen: 'the server sends SMS to its outbox (SMS_PROVIDER=outbox, the development default)',
  },
});
