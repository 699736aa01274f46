import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { ApiError } from '../../http/api-error.js';

/**
 * A federated instance is named by the user, and the server then talks to it (app registration, code
 * exchange, refresh). Without this check a signed-in user could make the server reach addresses inside its
 * own network. Every address the name resolves to must be public.
 */
export async function assertPublicInstance(instance: string): Promise<void> {
  const host = instance.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    throw new ApiError(400, 'validation_failed', `the instance ${instance} cannot be found`);
  }
  const internal = addresses.find(isInternalAddress);
  if (addresses.length === 0 || internal !== undefined) {
    throw new ApiError(400, 'validation_failed', `the instance ${instance} is not a public server`);
  }
}

export function isInternalAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return (
      a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224
    );
  }
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:')) return isInternalAddress(lower.slice('::ffff:'.length));
  return lower === '::' || lower === '::1' || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe8') || lower.startsWith('fe9') || lower.startsWith('fea') || lower.startsWith('feb') || lower.startsWith('ff');
}
