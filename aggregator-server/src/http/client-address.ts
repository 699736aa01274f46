import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { ServerConfig } from '../config.js';

type TrustFunction = (address: string, hop: number) => boolean;

/** The same rule express applies for `trust proxy` (a hop count or addresses/CIDR ranges), for raw requests. */
export function trustFunction(setting: ServerConfig['trustProxy']): TrustFunction {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

/** The client's address of a request that did not go through express (the socket.io handshake). */
export function clientAddressOf(request: IncomingMessage, trust: TrustFunction): string {
  try {
    return proxyaddr(request, trust);
  } catch {
    return request.socket.remoteAddress ?? 'unknown';
  }
}
