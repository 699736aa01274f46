import fs from 'node:fs';
import { z } from 'zod';

/**
 * The server's OAuth client registrations, one per network, from the file named by OAUTH_CLIENTS_FILE:
 * `{ "<plugin>": { "clientId", "clientSecret", "authorizationUrl"?, "tokenUrl"?, "revocationUrl"?,
 * "registrationUrl"?, "scopes"? } }`. Endpoint overrides may use `{instance}`; they let a deployment (or a
 * test) point a network at another authorization server. Networks with dynamic registration need no
 * entry. The file holds secrets: nothing here is ever logged.
 */
const endpoint = z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL');

const clientEntry = z.strictObject({
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  authorizationUrl: endpoint.optional(),
  tokenUrl: endpoint.optional(),
  revocationUrl: endpoint.optional(),
  registrationUrl: endpoint.optional(),
  scopes: z.array(z.string().min(1)).optional(),
});
export type OAuthClientEntry = z.infer<typeof clientEntry>;

const clientsFile = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a plugin id'), clientEntry);
export type OAuthClients = Readonly<Record<string, OAuthClientEntry>>;

export class OAuthClientsError extends Error {}

export function loadOAuthClients(file: string | undefined): OAuthClients {
  if (!file) return {};
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    // The reason only: a JSON parse error can quote the file, and the file holds client secrets.
    const reason = (error as NodeJS.ErrnoException).code ?? 'not valid JSON';
    throw new OAuthClientsError(`OAUTH_CLIENTS_FILE ${file} cannot be read (${reason})`);
  }
  const parsed = clientsFile.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new OAuthClientsError(`OAUTH_CLIENTS_FILE ${file} is invalid: ${where}`);
  }
  return parsed.data;
}
