import { describe, expect, it } from 'vitest';
import { AddressBookError } from '#common/address-book/index.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { errorCodes } from '#common/contract/errors.js';
import { errorMessagesEn } from '#common/i18n/errors.en.js';
import { ContiguousAcks } from '#agent/commands/contiguous-acks.js';
import { humanError, wordsForCode, wordsForPluginFailure } from '#agent/commands/human-error.js';
import { PluginHostError } from '#core/plugin-host/errors.js';
import { VaultError } from '#core/vault/index.js';

/** What a person must never read: a machine code (snake_case), an environment variable, a placeholder. */
const machineWords = /\b[a-z]+_[a-z_]+\b|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|[{}]/;

describe('the command line\'s words for failures', () => {
  it('has an English sentence, with no code or placeholder left, for every error code', () => {
    for (const code of errorCodes) {
      const words = wordsForCode(code, { network: 'Mastodon', seconds: 30 });
      expect(words, code).not.toMatch(machineWords);
      expect(words, code).toMatch(/^[A-Z].*[.!]$/);
    }
  });

  it('uses the app\'s own sentences, and terminal ones where the app points at a page', () => {
    expect(wordsForCode('not_a_member')).toBe(errorMessagesEn['error.not_a_member']);
    expect(wordsForCode('unauthorized')).toBe('Your session has ended. Sign in again with `switchboard login`.');
    for (const code of [...errorCodes, 'network_unreachable', 'invalid_response', 'client_error']) expect(wordsForCode(code), code).not.toMatch(/reload|page/i);
  });

  it('reads the code of every kind of failure the commands meet, and never prints its developer text', () => {
    const failures = [
      new ApiFailure(409, 'version_conflict', 'PUT /v1/contacts answered 409'),
      new ApiFailure(0, 'network_unreachable', 'cannot reach http://127.0.0.1:1: fetch failed'),
      new ApiFailure(503, 'some_new_server_code', 'upstream_timeout'),
      new VaultError('keychain_unavailable', 'org.freedesktop.secrets was not provided by any .service files'),
      new AddressBookError('unsupported_format', 'legacy XLS (BIFF8)'),
      new PluginHostError('plugin_timeout', 'call contacts.import exceeded 30000 ms'),
      Object.assign(new Error('ENOENT: no such file or directory, open \'x.vcf\''), { code: 'ENOENT' }),
      new TypeError('Cannot read properties of undefined (reading \'id\')'),
    ];
    for (const failure of failures) {
      const words = humanError(failure);
      expect(words, failure.message).not.toMatch(machineWords);
      expect(words).not.toContain(failure.message);
    }
    expect(humanError(failures[2])).toBe(errorMessagesEn['error.internal_error']);
    expect(humanError(new ApiFailure(429, 'too_many_requests', 'slow down', { retryAfter: 12 }))).toBe(errorMessagesEn['error.too_many_requests']);
    // The keychain's own advice (which keychain, how to get one headless) is worth more than the app's sentence.
    expect(humanError(failures[3])).toMatch(/^The keychain cannot be opened: .*(Secret Service|keychain|Credential Manager)/);
    expect(wordsForPluginFailure({ code: 'plugin_error', pluginCode: 'unauthorized' })).toBe(errorMessagesEn['error.not_bound']);
  });
});

describe('acknowledging without gaps', () => {
  it('acknowledges a conversation only up to the highest sequence with nothing missing below it', () => {
    const acks = new ContiguousAcks();
    // The backlog starts after the device's last acknowledgement (here 4).
    expect(acks.receive('c1', 5)).toBe(5);
    expect(acks.receive('c1', 6)).toBe(6);
    // 7 was lost on the way: 8 and 9 are shown but not acknowledged.
    expect(acks.receive('c1', 8)).toBeUndefined();
    expect(acks.receive('c1', 9)).toBeUndefined();
    expect(acks.waiting()).toEqual(['c1']);
    // Another conversation is not held up.
    expect(acks.receive('c2', 1)).toBe(1);
    // The missing one comes (after a reconnect, the server replays from 6): the run now ends at 9.
    expect(acks.receive('c1', 7)).toBe(9);
    expect(acks.waiting()).toEqual([]);
    // What the server sends again is acknowledged again, in case the last acknowledgement was lost.
    expect(acks.receive('c1', 8)).toBe(9);
    expect(acks.upTo('c1')).toBe(9);
  });

  it('starts a conversation\'s run from the list read before connecting when its first message is further on', () => {
    const acks = new ContiguousAcks(new Map([['listed', 10], ['backlog', 10], ['next', 10]]));
    // Nothing in the backlog, and 11 and 12 never arrived: 13 is held.
    expect(acks.receive('listed', 13)).toBeUndefined();
    expect(acks.receive('listed', 11)).toBe(11);
    expect(acks.receive('listed', 12)).toBe(13);
    // The start of a backlog (everything before it was acknowledged) and the very next message are safe.
    expect(acks.receive('backlog', 7)).toBe(7);
    expect(acks.receive('next', 11)).toBe(11);
    // A conversation that did not exist then.
    expect(acks.receive('new', 1)).toBe(1);
  });
});
