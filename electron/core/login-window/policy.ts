import { hostAllowed, type PluginManifest } from '#common/plugin-manifest/index.js';
import { credentialAccount } from '../vault/index.js';

/**
 * The hosts a password network's login window may show and fill: its login page's host and the hosts
 * its manifest allows. `{instance}` is left out: a login window belongs to one fixed web site, and a
 * placeholder would match nothing we could check.
 */
export function networkHostPatterns(manifest: PluginManifest): string[] {
  const patterns = manifest.allowedHosts.filter((pattern) => pattern !== '{instance}');
  if (manifest.auth.type === 'password') {
    const loginHost = parsedUrl(manifest.auth.loginUrl)?.hostname;
    if (loginHost !== undefined && !patterns.includes(loginHost)) patterns.unshift(loginHost);
  }
  return patterns;
}

function parsedUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Whether `url` is the network's own web site: https, on one of its hosts, no user info (which could
 * make a URL read as the network's while going elsewhere). The login window navigates only there, and
 * credentials are typed only into such a page.
 */
export function isNetworkPage(url: string, hostPatterns: readonly string[]): boolean {
  const parsed = parsedUrl(url);
  if (parsed === undefined || parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  return hostAllowed(parsed.hostname, hostPatterns);
}

/**
 * Electron's session partition of one bound account: `persist:` keeps its cookies across restarts, so
 * a second open finds the account still signed in, and two accounts never share a cookie jar. Built
 * from the same checked parts as the keychain item, so nothing odd reaches a folder name.
 */
export function loginPartition(pluginId: string, account: string): string {
  const item = credentialAccount(pluginId, account);
  return `persist:account:${item.slice('credential:'.length)}`;
}
