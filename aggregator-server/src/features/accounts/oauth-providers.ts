import type http from 'node:http';
import { z } from 'zod';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { PluginCatalogue } from '../plugins-catalogue/catalogue.js';
import type { AccountsRepository } from './accounts.repository.js';
import type { OAuthClients } from './oauth-clients.js';
import { postToProvider, providerRefusal } from './provider-http.js';
import type { Sealer } from './sealing.js';

/** Everything needed to talk OAuth2 with one network (and, for federated ones, one instance). */
export type ProviderEndpoints = {
  pluginId: string;
  instance: string | undefined;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string | undefined;
  scopes: string[];
  clientId: string;
  clientSecret: string;
  /** For a user-named (federated) host: connections resolve and check the address themselves (SSRF). */
  agentFor: ((url: string) => http.Agent) | undefined;
};

/** Mastodon's POST /api/v1/apps answer (RFC 7591 registration answers have the same two fields). */
const registrationAnswer = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) });

import { assertPublicInstance, guardedAgents, systemResolver, type GuardedAgents, type HostResolver } from './public-host.js';

const sealContext = (pluginId: string, instance: string) => `dynamic-client:${pluginId}:${instance}`;

/**
 * Resolves a network's endpoints and this server's client on it: the manifest's `auth` block, overridden
 * by OAUTH_CLIENTS_FILE; with `dynamicRegistration`, a client registered once per instance and kept.
 */
export class OAuthProviders {
  private readonly guarded: GuardedAgents;

  constructor(
    private readonly deps: {
      catalogue: PluginCatalogue;
      clients: OAuthClients;
      repo: AccountsRepository;
      sealer: Sealer;
      clock: Clock;
      /** Development and tests only: lets an instance live on a private address such as 127.0.0.1. */
      allowPrivateInstances: boolean;
      /** How host names become addresses; the system resolver unless a test stands in for DNS. */
      resolver?: HostResolver;
    },
  ) {
    this.guarded = guardedAgents(deps.resolver ?? systemResolver);
  }

  private settings(pluginId: string) {
    const plugin = this.deps.catalogue.get(pluginId);
    if (!plugin) throw new ApiError(404, 'not_found', `no plugin "${pluginId}"`);
    const auth = plugin.manifest.auth;
    if (auth.type !== 'oauth2') throw new ApiError(400, 'oauth_not_supported', `${plugin.manifest.name} does not bind through OAuth2`);
    const override = this.deps.clients[pluginId] ?? {};
    return {
      name: plugin.manifest.name,
      authorizationUrl: override.authorizationUrl ?? auth.authorizationUrl,
      tokenUrl: override.tokenUrl ?? auth.tokenUrl,
      revocationUrl: override.revocationUrl ?? auth.revocationUrl,
      registrationUrl: override.registrationUrl ?? auth.dynamicRegistration?.registrationUrl,
      scopes: override.scopes ?? auth.scopes,
      clientId: override.clientId ?? auth.clientId,
      clientSecret: override.clientSecret,
    };
  }

  /** Checks the request before any state is written: the plugin binds by OAuth2 and has what it needs. */
  validate(pluginId: string, instance: string | undefined): void {
    const settings = this.settings(pluginId);
    const federated = [settings.authorizationUrl, settings.tokenUrl].some((url) => url.includes('{instance}'));
    if (federated && !instance) throw new ApiError(400, 'instance_required', `${settings.name} needs "instance": the server the account lives on, e.g. "mastodon.social"`);
    if (!federated && instance) throw new ApiError(400, 'validation_failed', `${settings.name} is not federated: send no "instance"`);
    if (!settings.registrationUrl && !(settings.clientId && settings.clientSecret)) {
      throw new ApiError(503, 'oauth_not_configured', `this server has no OAuth client for ${settings.name}; its operator adds one to OAUTH_CLIENTS_FILE`);
    }
  }

  /**
   * The endpoints and client for a flow. With `register`, a federated instance this server has no client
   * on yet gets one now (and again if the callback URL changed); without, a missing client is an error.
   */
  async resolve(pluginId: string, instance: string | undefined, redirectUri: string, options: { register: boolean }): Promise<ProviderEndpoints> {
    this.validate(pluginId, instance);
    const guard = instance !== undefined && !this.deps.allowPrivateInstances;
    if (guard) await assertPublicInstance(instance, this.deps.resolver);
    const agentFor = guard ? this.guarded.forUrl : undefined;
    const settings = this.settings(pluginId);
    const fill = (template: string) => (instance ? template.replaceAll('{instance}', instance) : template);
    let clientId = settings.clientId;
    let clientSecret = settings.clientSecret;
    if (settings.registrationUrl && !(clientId && clientSecret)) {
      const client = await this.dynamicClient(pluginId, instance ?? '', fill(settings.registrationUrl), settings.scopes, redirectUri, options.register, agentFor);
      clientId = client.clientId;
      clientSecret = client.clientSecret;
    }
    if (!clientId || !clientSecret) throw new ApiError(503, 'oauth_not_configured', `this server has no OAuth client for ${settings.name}`);
    return {
      pluginId,
      instance,
      authorizationUrl: fill(settings.authorizationUrl),
      tokenUrl: fill(settings.tokenUrl),
      revocationUrl: settings.revocationUrl ? fill(settings.revocationUrl) : undefined,
      scopes: settings.scopes,
      clientId,
      clientSecret,
      agentFor,
    };
  }

  private async dynamicClient(
    pluginId: string,
    instance: string,
    registrationUrl: string,
    scopes: string[],
    redirectUri: string,
    register: boolean,
    agentFor: ((url: string) => http.Agent) | undefined,
  ) {
    const { repo, sealer, clock } = this.deps;
    const known = await repo.findDynamicClient(pluginId, instance);
    if (known && (known.redirectUri === redirectUri || !register)) {
      const clientSecret = sealer.open(known.sealedClientSecret, sealContext(pluginId, instance));
      if (clientSecret !== undefined) return { clientId: known.clientId, clientSecret };
      if (!register) throw new ApiError(503, 'oauth_not_configured', `the client registered on ${instance} cannot be read (server secret changed?); bind again`);
    }
    if (!register) throw new ApiError(400, 'oauth_not_configured', `this server has no client on ${instance}; bind the account first`);
    const answer = await postToProvider(
      registrationUrl,
      { json: { client_name: 'Switchboard', redirect_uris: redirectUri, scopes: scopes.join(' ') } },
      agentFor?.(registrationUrl),
    );
    if (answer.status < 200 || answer.status >= 300) throw providerRefusal(answer, `registering Switchboard on ${instance}`);
    const registered = registrationAnswer.safeParse(answer.json);
    if (!registered.success) throw new ApiError(502, 'provider_error', `${instance} answered the app registration without client_id and client_secret`);
    await repo.saveDynamicClient(
      {
        pluginId,
        instance,
        clientId: registered.data.client_id,
        sealedClientSecret: sealer.seal(registered.data.client_secret, sealContext(pluginId, instance)),
        redirectUri,
      },
      clock.now(),
    );
    return { clientId: registered.data.client_id, clientSecret: registered.data.client_secret };
  }
}
