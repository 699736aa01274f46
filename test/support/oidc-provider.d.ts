// panva's oidc-provider ships no type declarations; these cover the part the tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type ClientMetadata = {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    [key: string]: unknown;
  };

  export type ProviderClient = { grantTypeAllowed(grant: string): boolean };

  export type Configuration = {
    clients?: ClientMetadata[];
    pkce?: { required?: (ctx: unknown, client: ProviderClient) => boolean };
    features?: Record<string, { enabled: boolean; [key: string]: unknown }>;
    issueRefreshToken?: (ctx: unknown, client: ProviderClient, code: unknown) => Promise<boolean> | boolean;
    scopes?: string[];
    cookies?: { keys?: string[] };
    findAccount?: (ctx: unknown, id: string) => Promise<{ accountId: string; claims(): Promise<Record<string, unknown>> }>;
    ttl?: Record<string, number>;
    [key: string]: unknown;
  };

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    proxy: boolean;
  }
}
