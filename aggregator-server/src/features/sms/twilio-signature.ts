import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (X-Twilio-Signature): base64 of HMAC-SHA1, keyed with the account's auth
 * token, over the full URL Twilio requested followed by every POST parameter's name and value, sorted by
 * name (Twilio's "Webhooks security" page); a name given several times contributes each distinct value
 * once, in sorted order, as Twilio's helper libraries do. Query parameters are part of the URL, not of the list.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    for (const item of Array.isArray(value) ? [...new Set(value)].sort() : [value ?? '']) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function validTwilioSignature(authToken: string, url: string, params: Record<string, string | string[]>, given: string | undefined): boolean {
  if (given === undefined || given === '') return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
