/**
 * Whether a server address may carry a session: https anywhere, plain http only on this machine
 * (loopback, for development). Over plain http on a network, anyone on the path reads the session token.
 * Answers the reason in words when it may not.
 */
export function insecureServerReason(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return `"${address}" is not a server address; give one such as https://switchboard.example.com`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `${url.protocol} is not a server address; use https://`;
  if (isLoopbackHost(url.hostname)) return undefined;
  return `${url.origin} is not encrypted (http, not https): signing in there would send your session in the clear. Use the server's https:// address.`;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
