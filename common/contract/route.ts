import type { z } from 'zod';
import type { ErrorCode } from './errors.js';

/**
 * What one HTTP route of the server is: method, path, who may call it, what it takes and what it answers.
 * The server mounts its handlers from these definitions, the typed client calls them, and the OpenAPI
 * document is built from them, so the three cannot drift apart.
 */

export const apiPrefix = '/v1';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: anyone, the holder of a live session's bearer token, or the operator's admin
 * token (the route answers 404 when the server has none configured).
 */
export type RouteAuth = 'public' | 'session' | 'admin';

export type RouteResponse =
  /** A JSON body checked by `schema`. */
  | { kind: 'json'; status: 200 | 201; schema: z.ZodType; description: string }
  /** No body. */
  | { kind: 'empty'; status: 204; description: string }
  /** The browser is sent on (OAuth pages). */
  | { kind: 'redirect'; status: 302 | 303; description: string }
  /** Exact bytes whose integrity a client checks (manifests, icons): the handler writes them itself. */
  | { kind: 'bytes'; status: 200; contentType: string; description: string };

export type RouteDefinition = {
  method: HttpMethod;
  /** Express syntax: `/v1/me/devices/:deviceId`. */
  path: string;
  auth: RouteAuth;
  summary: string;
  /** The feature the route belongs to; groups the OpenAPI document. */
  tag: string;
  /** Path parameters; a value that does not parse answers 404 (there is no such thing to act on). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: RouteResponse;
  /** Codes this route may answer besides the ones every route shares (validation, auth, rate limits). */
  errors: readonly ErrorCode[];
  /** The code answered when the query or body does not parse, when not `validation_failed`. */
  invalidInput?: ErrorCode;
  /** Why a server may not serve this route (it is then absent, not broken). */
  servedOnlyWhen?: string;
};

/** Keeps each definition's literal types (paths, auth, schemas) while checking it against RouteDefinition. */
export function defineRoutes<const Table extends Record<string, RouteDefinition>>(table: Table): Table {
  return table;
}

type ParamsOf<R> = R extends { params: infer P extends z.ZodType } ? P : undefined;
type QueryOf<R> = R extends { query: infer Q extends z.ZodType } ? Q : undefined;
type BodyOf<R> = R extends { body: infer B extends z.ZodType } ? B : undefined;
type InputOf<S> = S extends z.ZodType ? z.input<S> : undefined;
type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a client sends: the keys a route has are required, the others absent. */
export type RouteRequest<R extends RouteDefinition> = (ParamsOf<R> extends z.ZodType ? { params: InputOf<ParamsOf<R>> } : { params?: undefined }) &
  (QueryOf<R> extends z.ZodType ? { query: InputOf<QueryOf<R>> } : { query?: undefined }) &
  (BodyOf<R> extends z.ZodType ? { body: InputOf<BodyOf<R>> } : { body?: undefined });

/** What a handler receives once the server parsed the request against the route's schemas. */
export type ParsedRequest<R extends RouteDefinition> = {
  params: OutputOf<ParamsOf<R>>;
  query: OutputOf<QueryOf<R>>;
  body: OutputOf<BodyOf<R>>;
};

/** The answer's body as parsed by the route's schema; nothing for routes without a JSON body. */
export type RouteAnswer<R extends RouteDefinition> = R['response'] extends { kind: 'json'; schema: infer S extends z.ZodType } ? z.output<S> : void;

/** What a handler returns: the schema's input side, so the server may hand over anything the schema accepts. */
export type RouteReply<R extends RouteDefinition> = R['response'] extends { kind: 'json'; schema: infer S extends z.ZodType } ? z.input<S> : void;

const paramPattern = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** The names of a path's parameters, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(paramPattern)].map((match) => match[1] ?? '');
}

/** The concrete path of a route, each parameter URL-encoded (a plugin id or a phone number cannot break out of its segment). */
export function routePath(route: RouteDefinition, params: Record<string, string | number> = {}): string {
  return route.path.replace(paramPattern, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${route.method.toUpperCase()} ${route.path} needs the parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

/** `/v1/plugins/:plugin/icon` in OpenAPI's spelling: `/v1/plugins/{plugin}/icon`. */
export function openApiPath(path: string): string {
  return path.replace(paramPattern, (_whole, name: string) => `{${name}}`);
}
