import type { z } from 'zod';
import {
  meResponse,
  type MeResponse,
  checkCodeResponse,
  sessionResponse,
  startVerificationResponse,
  type DeviceInput,
  type SessionResponse,
  type StartVerificationResponse,
} from '../../../common/contract/identity.js';
import { addressBookResponse, type AddressBookEntry, type AddressBookResponse } from '../../../common/contract/contacts.js';
import { ApiFailure, failureFromAnswer } from '../../../common/contract/api-failure.js';

/** The desktop core's client of the aggregator server's HTTP API; every answer is checked against the contract. */
export class SwitchboardApi {
  constructor(
    readonly serverUrl: string,
    private readonly token?: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  withToken(token: string): SwitchboardApi {
    return new SwitchboardApi(this.serverUrl, token, this.fetchImpl);
  }

  startVerification(phone: string, region?: string): Promise<StartVerificationResponse> {
    return this.call('POST', '/v1/auth/verifications', startVerificationResponse, region ? { phone, region } : { phone });
  }

  checkCode(verificationId: string, code: string): Promise<{ ticket: string }> {
    return this.call('POST', `/v1/auth/verifications/${encodeURIComponent(verificationId)}/check`, checkCodeResponse, { code });
  }

  createSession(ticket: string, device: DeviceInput): Promise<SessionResponse> {
    return this.call('POST', '/v1/auth/sessions', sessionResponse, { ticket, device });
  }

  me(): Promise<MeResponse> {
    return this.call('GET', '/v1/me', meResponse);
  }

  replaceAddressBook(entries: AddressBookEntry[]): Promise<AddressBookResponse> {
    return this.call('PUT', '/v1/me/address-book', addressBookResponse, { entries });
  }

  async logout(): Promise<void> {
    await this.raw('DELETE', '/v1/auth/sessions/current');
  }

  private async call<Schema extends z.ZodType>(method: string, pathname: string, schema: Schema, body?: unknown): Promise<z.infer<Schema>> {
    const response = await this.raw(method, pathname, body);
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) throw new ApiFailure(response.status, 'invalid_response', `the server's answer to ${method} ${pathname} does not match the contract`);
    return parsed.data;
  }

  private async raw(method: string, pathname: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(pathname, this.serverUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ApiFailure(0, 'unreachable', `cannot reach ${this.serverUrl}: ${(error as Error).message}`);
    }
    if (response.ok) return response;
    const payload: unknown = await response.json().catch(() => undefined);
    throw failureFromAnswer(response.status, payload, { code: 'unexpected_status', message: `${method} ${pathname} answered ${response.status}` });
  }
}
