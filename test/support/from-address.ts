import http from 'node:http';
import { ApiClient, type ApiResponse } from './test-server.js';

/**
 * An API client whose requests leave from another loopback address (127.0.0.2, ...), so a test can
 * play several people on different networks against per-address limits, without trusting any header.
 */
export class AddressApi extends ApiClient {
  constructor(
    baseUrl: string,
    readonly localAddress: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    super(baseUrl, extraHeaders);
  }

  override withToken(token: string): AddressApi {
    return new AddressApi(this.baseUrl, this.localAddress, { ...this.extraHeaders, authorization: `Bearer ${token}` });
  }

  override withHeaders(headers: Record<string, string>): AddressApi {
    return new AddressApi(this.baseUrl, this.localAddress, { ...this.extraHeaders, ...headers });
  }

  override request<T = Record<string, unknown>>(method: string, pathname: string, body?: unknown): Promise<ApiResponse<T>> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const url = new URL(this.baseUrl + pathname);
    return new Promise((resolve, reject) => {
      const request = http.request(
        url,
        {
          method,
          localAddress: this.localAddress,
          agent: false,
          headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...this.extraHeaders },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
            resolve({ status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T, headers });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }
}
