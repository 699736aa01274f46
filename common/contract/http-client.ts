import { ApiFailure, failureFromAnswer } from './api-failure.js';
import { routePath, type RouteAnswer, type RouteDefinition, type RouteRequest } from './route.js';

/** A route the client calls and whose answer it reads: JSON or nothing (byte and redirect routes are opened by URL). */
export type CallableRoute = RouteDefinition & { response: { kind: 'json' | 'empty' } };

export type HttpClientOptions = {
  baseUrl: string;
  /** The session token to send, read at each call (it changes on sign-in and sign-out). */
  token?: () => string | undefined;
  /**
   * The web client's CSRF value (read from its cookie) for a session the browser holds in an HttpOnly
   * cookie: sent as `X-CSRF-Token` on calls that change something.
   */
  csrfToken?: () => string | undefined;
  /** Told when a call made with a token (or a cookie session) answers 401: the session ended elsewhere. */
  onUnauthorized?: () => void;
  timeoutMs?: number;
  fetch?: typeof fetch;
};

const defaultTimeoutMs = 15_000;

/**
 * The one client of the server's HTTP API, typed by the route table: the renderer, the desktop core,
 * the CLI and the tests call `client.call(routes.me, {})` and get the answer parsed by the route's schema,
 * or an ApiFailure carrying the server's error code (status 0 when the server was not reached).
 */
export class SwitchboardClient {
  constructor(private readonly options: HttpClientOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  withToken(token: string): SwitchboardClient {
    return new SwitchboardClient({ ...this.options, token: () => token });
  }

  /** The absolute URL of a route, for answers that are opened rather than read (icons, manifests, browser pages). */
  url(route: RouteDefinition, params: Record<string, string | number> = {}): URL {
    return new URL(routePath(route, params), this.options.baseUrl);
  }

  async call<R extends CallableRoute>(route: R, request: RouteRequest<R>): Promise<RouteAnswer<R>> {
    const what = `${route.method.toUpperCase()} ${route.path}`;
    const url = this.url(route, request.params as Record<string, string | number> | undefined);
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const { headers, token, csrf } = this.credentials(route.method);
    headers.accept = 'application/json';
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method: route.method.toUpperCase(),
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? defaultTimeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new ApiFailure(0, 'network_unreachable', timedOut ? `${this.baseUrl} did not answer ${what} in time` : `cannot reach ${this.baseUrl}: ${describe(error)}`);
    }
    const json = parseJson(text);
    if (!response.ok) this.refuse(response.status, json.value, what, token !== undefined || csrf !== undefined);
    if (route.response.kind === 'empty') return undefined as RouteAnswer<R>;
    if (!json.ok) throw new ApiFailure(502, 'invalid_response', `the server answered ${what} with something that is not JSON`);
    const parsed = route.response.schema.safeParse(json.value);
    if (!parsed.success) {
      throw new ApiFailure(502, 'invalid_response', `the server's answer to ${what} does not match the contract: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
    }
    return parsed.data as RouteAnswer<R>;
  }

  /**
   * A route whose request body is raw bytes (an upload) and whose answer is JSON: the bytes go as they
   * are, with the route's own headers (a file name); the answer is checked like `call`'s.
   */
  async upload<R extends CallableRoute>(route: R, bytes: Blob | Uint8Array<ArrayBuffer>, extraHeaders: Record<string, string> = {}): Promise<RouteAnswer<R>> {
    const what = `${route.method.toUpperCase()} ${route.path}`;
    const { headers, token, csrf } = this.credentials(route.method);
    const response = await this.send(what, this.url(route), { method: route.method.toUpperCase(), headers: { ...headers, ...extraHeaders, accept: 'application/json', 'content-type': 'application/octet-stream' }, body: bytes }, 120_000);
    const json = parseJson(await response.text());
    if (!response.ok) this.refuse(response.status, json.value, what, token !== undefined || csrf !== undefined);
    const parsed = route.response.kind === 'json' ? route.response.schema.safeParse(json.value) : undefined;
    if (parsed === undefined || !parsed.success) throw new ApiFailure(502, 'invalid_response', `the server's answer to ${what} does not match the contract`);
    return parsed.data as RouteAnswer<R>;
  }

  /** A route answering bytes (a file, a thumbnail), read with the same credentials as `call`. */
  /** The bytes, their type, and the name the file was uploaded with when the server gives one. */
  async bytes(route: RouteDefinition & { response: { kind: 'bytes' } }, params: Record<string, string | number>): Promise<{ blob: Blob; contentType: string; fileName?: string }> {
    const response = await this.fetchBytes(route, params, 'GET');
    const fileName = fileNameOf(response.headers.get('content-disposition'));
    return { blob: await response.blob(), contentType: response.headers.get('content-type') ?? 'application/octet-stream', ...(fileName ? { fileName } : {}) };
  }

  /** The type of what a bytes route would answer (a HEAD request: nothing is downloaded). */
  async contentType(route: RouteDefinition & { response: { kind: 'bytes' } }, params: Record<string, string | number>): Promise<string> {
    const response = await this.fetchBytes(route, params, 'HEAD');
    return response.headers.get('content-type') ?? 'application/octet-stream';
  }

  private async fetchBytes(route: RouteDefinition, params: Record<string, string | number>, method: 'GET' | 'HEAD'): Promise<Response> {
    const what = `${method} ${route.path}`;
    const { headers, token, csrf } = this.credentials('get');
    const response = await this.send(what, this.url(route, params), { method, headers }, 60_000);
    if (!response.ok) this.refuse(response.status, method === 'HEAD' ? undefined : parseJson(await response.text()).value, what, token !== undefined || csrf !== undefined);
    return response;
  }

  private credentials(method: string): { headers: Record<string, string>; token: string | undefined; csrf: string | undefined } {
    const token = this.options.token?.();
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const csrf = token === undefined ? this.options.csrfToken?.() : undefined;
    if (csrf !== undefined && method !== 'get') headers['x-csrf-token'] = csrf;
    return { headers, token, csrf };
  }

  private async send(what: string, url: URL, init: { method: string; headers: Record<string, string>; body?: Blob | Uint8Array<ArrayBuffer> }, timeoutMs: number): Promise<Response> {
    try {
      return await (this.options.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new ApiFailure(0, 'network_unreachable', timedOut ? `${this.baseUrl} did not answer ${what} in time` : `cannot reach ${this.baseUrl}: ${describe(error)}`);
    }
  }

  private refuse(status: number, body: unknown, what: string, signedIn: boolean): never {
    if (status === 401 && signedIn) this.options.onUnauthorized?.();
    throw failureFromAnswer(status, body, { code: status === 404 ? 'not_found' : `http_${status}`, message: `${what} answered ${status}` });
  }
}

function parseJson(text: string): { ok: boolean; value: unknown } {
  if (text === '') return { ok: false, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // A proxy's error page, or an empty answer: the caller decides what that means.
    return { ok: false, value: undefined };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The file name of a Content-Disposition header (RFC 6266): the exact `filename*` first, else `filename`. */
export function fileNameOf(header: string | null): string | undefined {
  if (header === null) return undefined;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1];
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1];
}
