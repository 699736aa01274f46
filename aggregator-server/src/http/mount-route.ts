import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { ParsedRequest, RouteDefinition, RouteReply } from '#common/contract/route.js';
import { routes } from '#common/contract/routes.js';
import type { AuthContext, SessionService } from '../features/identity/session.service.js';
import { ApiError } from './api-error.js';
import { bearerToken, clientIp } from './auth.js';
import { changesState, csrfProven, isSecureRequest, sessionTokenFromCookies, setSessionCookies } from './session-cookie.js';
import { parseBody } from './validate.js';

/** What a handler gets: the request parsed by the route's schemas, and the caller when the route requires one. */
export type RouteContext<R extends RouteDefinition> = ParsedRequest<R> & {
  auth: R['auth'] extends 'session' ? AuthContext : undefined;
  ip: string;
  req: Request;
  res: Response;
};

export type RouteHandler<R extends RouteDefinition> = (context: RouteContext<R>) => Promise<RouteReply<R>> | RouteReply<R>;

export type MountOptions<R extends RouteDefinition> = {
  /**
   * Parses the body with the same rules as the table's schema but in slices that let other requests run
   * in between: for the few routes whose bodies may be large (address books).
   */
  parseBody?: (body: unknown) => Promise<ParsedRequest<R>['body']>;
};

/** A handler mounter bound to the server's ways of authenticating. */
export type MountRoute = <R extends RouteDefinition>(router: Router, route: R, handler: RouteHandler<R>, options?: MountOptions<R>) => void;

const authenticatedEarly = new WeakMap<Request, AuthContext>();

/**
 * Authenticates a request before its body is read, for routes that take large uploads: a stranger's
 * megabytes are refused before anything parses them. The route's mount then reuses the result.
 */
export function authenticateBeforeBody(deps: CallerDeps): RequestHandler {
  return async (req, res, next) => {
    authenticatedEarly.set(req, await authenticateCaller(deps, req, res));
    next();
  };
}

type CallerDeps = { sessions: SessionService; publicUrl: string | undefined };

/**
 * The caller of a session route: by the bearer header (every API client), or else by the web client's
 * session cookie, in which case a state-changing request must prove it comes from our page (CSRF), and a
 * kept cookie is renewed as its session slides forward.
 */
export async function authenticateCaller(deps: CallerDeps, req: Request, res: Response): Promise<AuthContext> {
  const bearer = bearerToken(req);
  if (bearer !== undefined) return deps.sessions.authenticate(bearer);
  const cookieToken = sessionTokenFromCookies(req.headers);
  if (cookieToken === undefined) return deps.sessions.authenticate(undefined);
  if (changesState(req.method) && !csrfProven(req, cookieToken)) {
    throw new ApiError(403, 'csrf_failed', 'a request signed in by cookie must carry the X-CSRF-Token header from the page');
  }
  const auth = await deps.sessions.authenticate(cookieToken);
  const { session } = auth;
  // The browser's copy slides with the server's: a kept cookie lives as long as the session's idle time from now.
  if (session.webCookie === 'kept' && session.idleTtlMs !== null) {
    setSessionCookies(res, cookieToken, { kind: 'kept', maxAgeMs: session.idleTtlMs, secure: isSecureRequest(req, deps.publicUrl) });
  }
  return auth;
}

/** The caller found by `authenticateBeforeBody` (middleware between it and the route use this). */
export function earlyAuthOf(req: Request): AuthContext {
  const auth = authenticatedEarly.get(req);
  if (auth === undefined) throw new Error('earlyAuthOf called on a request authenticateBeforeBody did not see');
  return auth;
}

const tableRoutes: ReadonlySet<RouteDefinition> = new Set(Object.values(routes));

/**
 * The one way a route is served: only a route of the table, at its method and path, behind the auth the
 * table declares, with params, query and body parsed by the table's schemas before the handler runs.
 */
export function routeMounter(deps: CallerDeps & { adminToken: string | undefined }): MountRoute {
  const authenticate = async (route: RouteDefinition, req: Request, res: Response): Promise<AuthContext | undefined> => {
    if (route.auth === 'session') return authenticatedEarly.get(req) ?? authenticateCaller(deps, req, res);
    if (route.auth === 'admin') {
      // Without an admin token configured the route does not exist for anyone.
      if (!deps.adminToken) throw new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`);
      if (!sameSecret(bearerToken(req), deps.adminToken)) throw new ApiError(401, 'unauthorized', 'admin token required');
    }
    return undefined;
  };

  return (router, route, handler, options) => {
    if (!tableRoutes.has(route)) throw new Error(`${route.method.toUpperCase()} ${route.path} is not in the route table`);
    router[route.method](route.path, async (req, res) => {
      const auth = await authenticate(route, req, res);
      const parsed = {
        params: route.params ? parseParams(route.params, req.params) : undefined,
        query: route.query ? parseInput(route, route.query, req.query) : undefined,
        body: route.body ? (options?.parseBody ? await options.parseBody(req.body ?? {}) : parseInput(route, route.body, req.body ?? {})) : undefined,
      } as ParsedRequest<typeof route>;
      const context = { ...parsed, auth, ip: clientIp(req), req, res } as RouteContext<typeof route>;
      const reply = await handler(context);
      const { response } = route;
      if (response.kind === 'json') res.status(response.status).json(reply);
      else if (response.kind === 'empty') res.status(204).end();
      // Redirects and byte answers are written by the handler itself.
    });
  };
}

/** A path parameter that does not parse names nothing that exists. */
function parseParams(schema: z.ZodObject, params: unknown): unknown {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new ApiError(404, 'not_found', `no such ${String(parsed.error.issues[0]?.path[0] ?? 'thing')}`);
  return parsed.data;
}

function parseInput(route: RouteDefinition, schema: z.ZodType, input: unknown): unknown {
  if (!route.invalidInput) return parseBody(schema, input);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ApiError(400, route.invalidInput, 'this link is incomplete or damaged; start again from Switchboard');
  return parsed.data;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
