import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { AccountsApi } from '../accounts/index.js';

/**
 * Every HTTP client of the aggregator server that the desktop core uses, built here and nowhere else
 * in the core. They all stand on the one typed client of the route table.
 */
export interface ServerClients {
  /** Any route of the table: without a token for signing in, with one after. */
  api(token?: string): SwitchboardClient;
  /** Account binding and token refresh, with the session token. */
  accounts(token: string): AccountsApi;
  /** userId → phone of my contacts, for notifications ("+86… is now on Telegram"). */
  contactPhones(token: string): Promise<Map<string, string>>;
}

export function createServerClients(serverUrl: string): ServerClients {
  const api = (token?: string) => new SwitchboardClient({ baseUrl: serverUrl, ...(token === undefined ? {} : { token: () => token }) });
  return {
    api,
    accounts: (token) => new AccountsApi(serverUrl, token),
    async contactPhones(token) {
      const contacts = await api(token).call(routes.contacts, {});
      return new Map(contacts.map((contact) => [contact.userId, contact.phone]));
    },
  };
}
