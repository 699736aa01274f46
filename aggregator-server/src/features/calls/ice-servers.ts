import { createHmac } from 'node:crypto';
import type { IceServersResponse } from '#common/contract/calls.js';
import type { CallSettings } from '../../config.js';

/**
 * The ICE servers a device uses for a call. With TURN configured, coturn's REST credentials
 * (`use-auth-secret`): the username is `<expiry in Unix seconds>:<userId>` and the password
 * base64(HMAC-SHA1(secret, username)); coturn checks both with the same shared secret and refuses
 * them after the expiry, so a leaked credential is worth little. Without TURN: only the configured
 * STUN servers (none by default), and calls between devices that reach each other directly still work.
 */
export function iceServersFor(userId: string, settings: CallSettings, nowMs: number): IceServersResponse {
  const iceServers: IceServersResponse['iceServers'] = [];
  if (settings.stunUrls.length > 0) iceServers.push({ urls: settings.stunUrls });
  if (settings.turn) {
    const expiry = Math.floor(nowMs / 1000) + settings.turn.ttlSeconds;
    const username = `${expiry}:${userId}`;
    const credential = createHmac('sha1', settings.turn.secret).update(username).digest('base64');
    iceServers.push({ urls: settings.turn.urls, username, credential });
    return { iceServers, ttl: settings.turn.ttlSeconds, ...(settings.relayOnly ? { iceTransportPolicy: 'relay' as const } : {}) };
  }
  return { iceServers, ttl: 0 };
}
