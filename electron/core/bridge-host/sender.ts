/**
 * Only our own page may call the bridge. Electron main checks the sending frame's URL (and that it is
 * the top frame) on every call rather than trusting the window: a window can be navigated, and a
 * subframe or a page that slipped past the navigation guard must find the bridge dead.
 */
export function isTrustedSender(senderUrl: string | undefined, trustedOrigins: readonly string[], isTopFrame = true): boolean {
  if (!isTopFrame || senderUrl === undefined || senderUrl === '') return false;
  let url: URL;
  try {
    url = new URL(senderUrl);
  } catch {
    return false;
  }
  // Custom schemes such as app://switchboard have an opaque `origin` ("null"); rebuild it the way
  // Electron's privileged standard schemes behave.
  const origin = url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`;
  return trustedOrigins.includes(origin);
}
