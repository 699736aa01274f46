import { hostAllowed } from '#common/plugin-manifest/index.js';
import { PluginRequestError } from './errors.js';

/** The `{instance}` placeholder a federated plugin writes instead of the server its user signed in to. */
const INSTANCE_PREFIX = 'https://{instance}';
const INSTANCE_PATTERN = '{instance}';

export interface UrlPolicy {
  allowedHosts: readonly string[];
  /** `host[:port]` of the bound account's server on a federated network, when there is one. */
  instance?: string;
  /**
   * Loopback stand-ins (a local Mastodon in tests, a developer's own instance) speak plain http.
   * Off by default: then every request is https.
   */
  plainHttpOnLoopback?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

function instanceOrigin(policy: UrlPolicy, instance: string): string {
  const hostname = instance.replace(/:\d+$/, '');
  const scheme = policy.plainHttpOnLoopback === true && isLoopback(hostname) ? 'http' : 'https';
  return `${scheme}://${instance}`;
}

/**
 * Decides, before any connection is made, whether a plugin may reach a URL. Allowed: the bound
 * instance (written `https://{instance}/...` or as its real origin, any port it has), and https on the
 * default port to a host matching a non-instance `allowedHosts` pattern. Everything else — other
 * hosts, other ports, user info, other schemes — is refused with a code the plugin sees.
 */
export function resolvePluginUrl(rawUrl: string, policy: UrlPolicy): URL {
  let text = rawUrl;
  if (text.startsWith(INSTANCE_PREFIX)) {
    if (policy.instance === undefined || !policy.allowedHosts.includes(INSTANCE_PATTERN)) {
      throw new PluginRequestError('no_account', 'the URL uses {instance} but no account on a federated server is bound for this call');
    }
    text = instanceOrigin(policy, policy.instance) + text.slice(INSTANCE_PREFIX.length);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PluginRequestError('invalid_url', `not an absolute URL: ${JSON.stringify(rawUrl.slice(0, 200))}`);
  }
  if (url.username !== '' || url.password !== '') throw new PluginRequestError('invalid_url', 'URLs with user info are refused');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PluginRequestError('scheme_not_allowed', `${url.protocol} is not allowed; use https`);

  const instance = policy.allowedHosts.includes(INSTANCE_PATTERN) ? policy.instance : undefined;
  if (instance !== undefined && url.host === instance.toLowerCase()) {
    const expected = new URL(instanceOrigin(policy, instance));
    if (url.protocol === expected.protocol) return url;
    throw new PluginRequestError('scheme_not_allowed', `${url.protocol} is not allowed for ${url.host}; use ${expected.protocol}`);
  }
  if (url.protocol !== 'https:') throw new PluginRequestError('scheme_not_allowed', `${url.protocol} is not allowed; use https`);
  const staticHosts = policy.allowedHosts.filter((pattern) => pattern !== INSTANCE_PATTERN);
  if (url.port === '' && hostAllowed(url.hostname, staticHosts)) return url;
  throw new PluginRequestError('host_not_allowed', `${url.host} is not in the plugin's allowedHosts`);
}
