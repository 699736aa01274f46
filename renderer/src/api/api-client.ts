import type { z } from 'zod';
import { ApiFailure, failureFromAnswer } from '../../../common/contract/api-failure.js';

export { ApiFailure };

export type TokenSource = () => string | undefined;

const requestTimeoutMs = 15_000;

/** JSON over fetch against the aggregator server; every answer is validated against its wire schema. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: TokenSource,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  async call<Schema extends z.ZodType>(method: string, path: string, schema: Schema, body?: unknown): Promise<z.infer<Schema>> {
    const text = await this.send(method, path, body);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiFailure(502, 'invalid_response', `the server answered ${method} ${path} with something that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiFailure(502, 'invalid_response', `unexpected answer to ${method} ${path}: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
    return parsed.data;
  }

  /** For 204 answers. */
  async send(method: string, path: string, body?: unknown): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = this.token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new ApiFailure(0, 'network_unreachable', error instanceof Error ? error.message : 'the server cannot be reached');
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return text;
    throw this.failureFrom(response.status, text, token !== undefined);
  }

  private failureFrom(status: number, text: string, hadToken: boolean): ApiFailure {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): the status-based failure below.
    }
    if (status === 401 && hadToken) this.onUnauthorized();
    return failureFromAnswer(status, payload, { code: status === 404 ? 'not_found' : `http_${status}`, message: `the server answered ${status}` });
  }
}

export function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof ApiFailure) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'code' in error && typeof error.code === 'string' ? error.code : 'client_error', message: error.message };
  return { code: 'client_error', message: String(error) };
}
