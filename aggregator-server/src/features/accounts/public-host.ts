import { lookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ApiError } from '../../http/api-error.js';

/** Every address a host name resolves to (a stand-in for DNS can be given in tests). */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    lookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/**
 * Only ordinary public unicast addresses count as public. ipaddr.js names every special range: loopback,
 * private and carrier-grade NAT, link-local, multicast, reserved, and for IPv6 unique-local (fc00::/7),
 * link-local (fe80::/10), IPv4-mapped (::ffff:a.b.c.d, judged by the IPv4 address inside), NAT64
 * (64:ff9b::/96), 6to4 (2002::/16) and Teredo, which all may lead back into a private network.
 */
export function isInternalAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isInternalAddress(v6.toIPv4Address().toString());
  }
  return parsed.range() !== 'unicast';
}

function notPublic(instance: string): ApiError {
  return new ApiError(400, 'validation_failed', `the instance ${instance} is not a public server`);
}

/**
 * A federated instance is named by the user, and the server then talks to it (app registration, code
 * exchange, refresh). Without this check a signed-in user could make the server reach addresses inside its
 * own network. Every address the name resolves to must be public. This early check gives a clear answer
 * before any state is written; the connection itself goes through guardedAgent, which checks again.
 */
export async function assertPublicInstance(instance: string, resolver: HostResolver = systemResolver): Promise<void> {
  const host = instance.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await resolver(host)).map((entry) => entry.address);
  } catch {
    throw new ApiError(400, 'validation_failed', `the instance ${instance} cannot be found`);
  }
  if (addresses.length === 0 || addresses.some(isInternalAddress)) throw notPublic(instance);
}

/**
 * The lookup a connection uses: resolve once, refuse if any answer is internal, and connect to the very
 * address that was checked. There is no second resolution, so a DNS answer that changes between the
 * check and the connection (rebinding) cannot steer the connection inward.
 */
export function checkedLookup(resolver: HostResolver): LookupFunction {
  return (hostname, options, callback) => {
    const literal = hostname.replace(/^\[(.*)\]$/, '$1');
    const answer = ipaddr.isValid(literal) ? Promise.resolve([{ address: literal, family: literal.includes(':') ? 6 : 4 }]) : resolver(hostname);
    answer.then(
      (addresses) => {
        const first = addresses[0];
        if (first === undefined || addresses.some((entry) => isInternalAddress(entry.address))) {
          callback(Object.assign(new Error(`${hostname} resolves to an address that is not public`), { code: 'ENOTPUBLIC' }), '', 4);
          return;
        }
        if (options.all) callback(null, [first]);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}

export type GuardedAgents = { http: http.Agent; https: https.Agent; forUrl(url: string): http.Agent };

/** Agents for talking to user-named hosts: every connection resolves through checkedLookup. */
export function guardedAgents(resolver: HostResolver = systemResolver): GuardedAgents {
  const lookupFn = checkedLookup(resolver);
  const agents = { http: new http.Agent({ lookup: lookupFn }), https: new https.Agent({ lookup: lookupFn }) };
  return { ...agents, forUrl: (url) => (new URL(url).protocol === 'https:' ? agents.https : agents.http) };
}
