import { z } from 'zod';
import { boundAccountsResponse, startOAuthResponse } from '../../../common/contract/accounts.js';
import {
  addressBookChangesResponse,
  addressBookResponse,
  addressBookSnapshot,
  contactView,
  type AddressBookEntry,
} from '../../../common/contract/contacts.js';
import {
  checkCodeResponse,
  meResponse,
  sessionResponse,
  startVerificationResponse,
  type DeviceInput,
} from '../../../common/contract/identity.js';
import { listedUser, privacySettings, type PrivacySettings } from '../../../common/contract/privacy.js';
import { ApiFailure, type ApiClient } from './api-client.js';

/** Every server endpoint the UI uses, in one place, each with the wire schema of its answer. */

/** What a contact shares with me about their accounts on other networks: plugin id to that plugin's declared fields. */
export const publishedIdentities = z.record(z.string().max(40), z.record(z.string().max(32), z.string().max(320)));
export const serverContact = contactView.extend({ blocked: z.boolean().default(false), identities: publishedIdentities.default({}) });
export type ServerContact = z.infer<typeof serverContact>;

const devSms = z.array(z.object({ to: z.string(), body: z.string(), sentAt: z.string() }));
const nothing = z.unknown();

export function serverApi(client: ApiClient) {
  return {
    startVerification: (phone: string) => client.call('POST', '/v1/auth/verifications', startVerificationResponse, { phone }),
    checkCode: (verificationId: string, code: string) =>
      client.call('POST', `/v1/auth/verifications/${encodeURIComponent(verificationId)}/check`, checkCodeResponse, { code }),
    createSession: (ticket: string, device: DeviceInput) => client.call('POST', '/v1/auth/sessions', sessionResponse, { ticket, device }),
    passwordSession: (phone: string, password: string, device: DeviceInput) =>
      client.call('POST', '/v1/auth/password-sessions', sessionResponse, { phone, password, device }),
    endSession: () => client.send('DELETE', '/v1/auth/sessions/current'),
    me: () => client.call('GET', '/v1/me', meResponse),
    setPassword: (password: string) => client.send('PUT', '/v1/me/password', { password }),

    /** The development outbox; undefined when the server has a real SMS provider (the endpoint is absent). */
    async devSmsCode(phone: string): Promise<string | undefined> {
      try {
        const messages = await client.call('GET', `/v1/dev/sms?to=${encodeURIComponent(phone)}`, devSms);
        const match = messages[0] === undefined ? null : /\b(\d{6})\b/.exec(messages[0].body);
        return match?.[1] ?? '';
      } catch (error) {
        if (error instanceof ApiFailure && error.status === 404) return undefined;
        throw error;
      }
    },

    replaceAddressBook: (entries: Pick<AddressBookEntry, 'ref' | 'phones'>[]) =>
      client.call('PUT', '/v1/me/address-book', addressBookResponse, { entries }),
    addressBook: () => client.call('GET', '/v1/me/address-book', addressBookSnapshot),
    addressBookChanges: (since: number) => client.call('GET', `/v1/me/address-book/changes?since=${since}`, addressBookChangesResponse),
    contacts: () => client.call('GET', '/v1/me/contacts', z.array(serverContact)),

    privacy: () => client.call('GET', '/v1/me/privacy', privacySettings),
    updatePrivacy: (update: Partial<PrivacySettings>) => client.call('PUT', '/v1/me/privacy', privacySettings, update),
    list: (kind: 'blocklist' | 'allowlist') => client.call('GET', `/v1/me/${kind}`, z.array(listedUser)),
    addToList: (kind: 'blocklist' | 'allowlist', userId: string) => client.send('PUT', `/v1/me/${kind}/${encodeURIComponent(userId)}`),
    removeFromList: (kind: 'blocklist' | 'allowlist', userId: string) => client.send('DELETE', `/v1/me/${kind}/${encodeURIComponent(userId)}`),

    accounts: () => client.call('GET', '/v1/me/accounts', boundAccountsResponse),
    startOAuth: (plugin: string, instance?: string) =>
      client.call('POST', `/v1/me/accounts/${encodeURIComponent(plugin)}/oauth/start`, startOAuthResponse, instance === undefined ? {} : { instance }),
    unbindAccount: (plugin: string) => client.call('DELETE', `/v1/me/accounts/${encodeURIComponent(plugin)}`, nothing),
  };
}

export type ServerApi = ReturnType<typeof serverApi>;
