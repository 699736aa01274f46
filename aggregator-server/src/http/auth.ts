import type { Request, RequestHandler, Response } from 'express';
import type { AuthContext, SessionService } from '../features/identity/session.service.js';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Rejects a request without a live session before any handler of the route sees it. */
export function requireAuth(sessions: SessionService): RequestHandler {
  return async (req, res, next) => {
    res.locals.auth = await sessions.authenticate(bearerToken(req));
    next();
  };
}

export function authOf(res: Response): AuthContext {
  const auth = res.locals.auth as AuthContext | undefined;
  if (!auth) throw new Error('authOf called on a route without requireAuth');
  return auth;
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
