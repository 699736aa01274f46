import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { defaultIdentityLimits, loadConfig, type IdentityLimits, type ServerConfig } from '#server/config.js';
import type { StorageOptions } from '#server/db/database.js';
import { startServer, type RunningServer, type ServerOptions } from '#server/server.js';
import type { Clock } from '#server/platform/clock.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routePath, type RouteDefinition } from '#common/contract/route.js';
import { routes } from '#common/contract/routes.js';
import { postgresUrl } from './services.js';

/** A clock the test moves by hand, so expiry and cooldown rules are checked without waiting. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Captures everything the server logs, to prove what never appears there. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export function tempDir(prefix = 'switchboard-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A PostgreSQL schema of its own for one test file, dropped afterwards. */
export async function createPostgresSchema(): Promise<{ storage: StorageOptions; databaseUrl: string; drop(): Promise<void> }> {
  const schema = `sb_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    storage: { kind: 'postgres', url: postgresUrl, searchPath: schema, poolSize: 4 },
    /** The same schema as a DATABASE_URL, for server processes started by a test. */
    databaseUrl: `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async drop() {
      const dropper = new pg.Client({ connectionString: postgresUrl });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dropper.end();
    },
  };
}

export type TestServerOptions = {
  env?: Record<string, string>;
  limits?: Partial<IdentityLimits>;
  dataDir?: string;
} & ServerOptions;

export type TestServer = RunningServer & {
  dataDir: string;
  config: ServerConfig;
  /** Raw answers (status, body, headers), for tests that send what no client would. */
  api: ApiClient;
  /** The product's own typed client, without a token. */
  client: SwitchboardClient;
};

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    SWITCHBOARD_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    ...options.env,
  });
  config.limits = { ...defaultIdentityLimits, ...options.limits };
  const { env: _env, limits: _limits, dataDir: _dataDir, ...serverOptions } = options;
  const server = await startServer(config, {
    smsPrint: null,
    logDestination: new LogCapture(),
    ...serverOptions,
  });
  return Object.assign(server, { dataDir, config, api: new ApiClient(server.url), client: new SwitchboardClient({ baseUrl: server.url }) });
}

export type ApiResponse<T = unknown> = { status: number; body: T; headers: Headers };

/**
 * A thin JSON client over real HTTP on loopback that returns whatever the server answered, for tests
 * of refusals; `route` addresses a route of the table, `request` any path at all.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.headers, authorization: `Bearer ${token}` });
  }

  withHeaders(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.headers, ...headers });
  }

  /** The product's typed client with this client's token. */
  typed(): SwitchboardClient {
    const token = /^Bearer (.+)$/.exec(this.headers.authorization ?? '')?.[1];
    return new SwitchboardClient({ baseUrl: this.baseUrl, token: () => token });
  }

  /**
   * A route of the table, answered raw. Params, query and body are not checked here: refusal tests send
   * what the typed client would not let them.
   */
  route<T = Record<string, unknown>>(
    route: RouteDefinition,
    request: { params?: Record<string, string | number>; query?: Record<string, string | number | undefined>; body?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) query.set(name, String(value));
    const search = query.size > 0 ? `?${query.toString()}` : '';
    return this.request<T>(route.method.toUpperCase(), routePath(route, request.params) + search, request.body ?? (route.body ? {} : undefined));
  }

  async request<T = Record<string, unknown>>(method: string, pathname: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await fetch(this.baseUrl + pathname, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  }

  get<T = Record<string, unknown>>(pathname: string) {
    return this.request<T>('GET', pathname);
  }
  post<T = Record<string, unknown>>(pathname: string, body?: unknown) {
    return this.request<T>('POST', pathname, body ?? {});
  }
  put<T = Record<string, unknown>>(pathname: string, body?: unknown) {
    return this.request<T>('PUT', pathname, body ?? {});
  }
  patch<T = Record<string, unknown>>(pathname: string, body?: unknown) {
    return this.request<T>('PATCH', pathname, body ?? {});
  }
  delete<T = Record<string, unknown>>(pathname: string) {
    return this.request<T>('DELETE', pathname);
  }
}

/** Reads the newest code the outbox "delivered" to a number, as a person reads their phone. */
export async function latestCode(api: ApiClient, phone: string): Promise<string> {
  const messages = await api.typed().call(routes.devSms, { query: { to: phone } });
  const match = messages[0] ? /\b(\d{6})\b/.exec(messages[0].body) : null;
  if (!match?.[1]) throw new Error(`no code in the outbox for ${phone}`);
  return match[1];
}

let deviceCounter = 0;
export function testDevice(name = 'Test laptop'): { id: string; name: string; platform: string } {
  deviceCounter += 1;
  return { id: `device-${process.pid}-${deviceCounter}`, name, platform: 'linux' };
}

/** The whole SMS sign-in a person goes through: ask for a code, read it, check it, open a session. */
export async function signIn(
  api: ApiClient,
  phone: string,
  device = testDevice(),
): Promise<{ token: string; user: { id: string; phone: string }; created: boolean; device: typeof device }> {
  const ticket = await verifyNumber(api, phone);
  const session = await failingAs('sign-in', api.typed().call(routes.createSession, { body: { ticket, device } }));
  if (session.token === undefined) throw new Error('a bearer sign-in answered no token');
  return { ...session, token: session.token, device };
}

/** A failed step of a test's sign-in, with the status and code a test can match. */
async function failingAs<T>(step: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    throw new Error(`${step} failed: ${error.status} ${error.code}: ${error.message}`, { cause: error });
  }
}

export async function verifyNumber(api: ApiClient, phone: string): Promise<string> {
  const client = api.typed();
  const started = await failingAs('verification', client.call(routes.startVerification, { body: { phone } }));
  const code = await latestCode(api, phone);
  const checked = await failingAs('check', client.call(routes.checkCode, { params: { verificationId: started.verificationId }, body: { code } }));
  return checked.ticket;
}
