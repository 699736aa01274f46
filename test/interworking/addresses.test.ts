import { describe, expect, it } from 'vitest';
import { outsideAddress } from '#common/contract/interworking.js';
import { messageTarget } from '#common/contract/messages.js';
import { typingPayload } from '#common/contract/socket-events.js';
import {
  addressOfJid,
  inboundClientId,
  outboundStanzaId,
  phoneOfUserJid,
  senderOfClientId,
  seqOfStanzaId,
  userJid,
} from '#server/features/interworking/addresses.js';

describe('outside addresses and XMPP names', () => {
  it('reads an outside address as a bare JID in lower case, and nothing else', () => {
    expect(outsideAddress.parse(' xmpp:Alice@Example.ORG ')).toBe('xmpp:alice@example.org');
    for (const bad of ['alice@example.org', 'xmpp:alice', 'xmpp:alice@example.org/phone', 'xmpp:a b@example.org', 'xmpp:<x>@example.org', `xmpp:${'a'.repeat(300)}@x.org`]) {
      expect(outsideAddress.safeParse(bad).success, bad).toBe(false);
    }
    expect(messageTarget.parse({ address: 'xmpp:alice@example.org' })).toEqual({ address: 'xmpp:alice@example.org' });
    expect(typingPayload.safeParse({ to: 'xmpp:alice@example.org', state: 'typing' }).success).toBe(true);
    expect(typingPayload.safeParse({ to: 'alice', state: 'typing' }).success).toBe(false);
  });

  it('maps users to JIDs of the component and back, only for that component', () => {
    expect(userJid('+8613800138000', 'sb.example.org')).toBe('8613800138000@sb.example.org');
    expect(phoneOfUserJid('8613800138000@sb.example.org/any', 'sb.example.org')).toBe('+8613800138000');
    expect(phoneOfUserJid('8613800138000@other.example.org', 'sb.example.org')).toBeUndefined();
    expect(phoneOfUserJid('alice@sb.example.org', 'sb.example.org')).toBeUndefined();
    expect(phoneOfUserJid('0123456789@sb.example.org', 'sb.example.org')).toBeUndefined();
    expect(addressOfJid('Alice@Example.org/Phone')).toBe('xmpp:alice@example.org');
    expect(addressOfJid('example.org')).toBeUndefined();
  });

  it('names a message from outside by its sender and its XMPP id, in a way no client id of a user can', () => {
    const clientId = inboundClientId('xmpp:alice@example.org', 'origin-1');
    expect(clientId).toBe(inboundClientId('xmpp:alice@example.org', 'origin-1'));
    expect(clientId).not.toBe(inboundClientId('xmpp:alice@example.org', 'origin-2'));
    expect(clientId).not.toBe(inboundClientId('xmpp:bob@example.org', 'origin-1'));
    expect(senderOfClientId(clientId)).toBe('xmpp:alice@example.org');
    expect(senderOfClientId('6f1f7c3e-8a4b-4c1e-9d7a-2b3c4d5e6f70')).toBeUndefined();
  });

  it('reads back only our own stanza ids from a receipt', () => {
    const id = outboundStanzaId(42, '6f1f7c3e-8a4b-4c1e-9d7a-2b3c4d5e6f70');
    expect(seqOfStanzaId(id)).toBe(42);
    expect(seqOfStanzaId('sb-42-not-ours')).toBeUndefined();
    expect(seqOfStanzaId(undefined)).toBeUndefined();
  });
});
