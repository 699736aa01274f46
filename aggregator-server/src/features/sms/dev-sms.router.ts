import net from 'node:net';
import { Router } from 'express';
import { platformRoutes as routes } from '#common/contract/routes/platform.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { OutboxGateway } from './outbox-gateway.js';

/**
 * The outbox lists every code it "sent", so it may only be reachable from this machine: it is served
 * when the server listens on a loopback address, or when the operator explicitly opts in
 * (SMS_OUTBOX_PUBLIC=1, e.g. a shared test deployment).
 */
export function outboxMayBeServed(host: string, allowPublic: boolean): boolean {
  if (allowPublic) return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/** The desktop renderer (app://switchboard) and loopback origins (a development web client). */
function outboxMayBeReadBy(origin: string): boolean {
  if (origin === 'app://switchboard') return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && outboxMayBeServed(url.hostname, false);
  } catch {
    return false;
  }
}

/** GET /v1/dev/sms: the outbox as a phone would show it. Mounted only with the outbox provider. */
export function devSmsRouter(mount: MountRoute, outbox: OutboxGateway): Router {
  const router = Router();
  mount(router, routes.devSms, ({ query, req, res }) => {
    // Never `*`: only the desktop app's renderer and pages served from this machine may read the codes.
    res.removeHeader('access-control-allow-origin');
    res.removeHeader('access-control-expose-headers');
    const origin = req.headers.origin;
    if (origin !== undefined && outboxMayBeReadBy(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.vary('origin');
    }
    // An unencoded "+" in a query string arrives as a space; accept both spellings of E.164.
    const recipient = query.to === undefined ? undefined : query.to.trim().replace(/^(?=\d)/, '+');
    return outbox.list(recipient);
  });
  return router;
}
