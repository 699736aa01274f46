import { z } from 'zod';
import { AccountsApi } from '../accounts/index.js';
import { SwitchboardApi } from '../api/switchboard-api.js';

const contactsAnswer = z.array(z.object({ userId: z.string(), phone: z.string() }));

/**
 * Every HTTP client of the aggregator server that the desktop core uses, built here and nowhere else
 * in the core, so that replacing them (one typed client from the route table) is a change of this file.
 */
export interface ServerClients {
  /** Identity, address book, `me`: without a token for signing in, with one after. */
  api(token?: string): SwitchboardApi;
  /** Account binding and token refresh, with the session token. */
  accounts(token: string): AccountsApi;
  /** userId → phone of my contacts, for notifications ("+86… is now on Telegram"). */
  contactPhones(token: string): Promise<Map<string, string>>;
}

export function createServerClients(serverUrl: string): ServerClients {
  return {
    api: (token) => new SwitchboardApi(serverUrl, token),
    accounts: (token) => new AccountsApi(serverUrl, token),
    async contactPhones(token) {
      const response = await fetch(new URL('/v1/me/contacts', serverUrl), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
      const parsed = contactsAnswer.safeParse(await response.json());
      return parsed.success ? new Map(parsed.data.map((contact) => [contact.userId, contact.phone])) : new Map();
    },
  };
}
