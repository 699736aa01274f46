import type { CallAnswerPayload, CallHangupPayload, CallInvitePayload, IceCandidate } from '#common/contract/calls.js';
import { parseAck, validatedListener, type Ack } from '#common/contract/socket-events.js';
import { displayName, useContacts } from '../contacts/contacts-store.js';
import { formatPhone } from '../../ui/format.js';
import { onRealtimeSocket, type RealtimeSocket } from '../../sync/sync-engine.js';
import { translate } from '../../i18n/i18n.js';
import { bridge } from '../../bridge/bridge.js';
import { notifyCall, notifyIncomingCall } from './call-notifications.js';
import { acceptCall, declineCall, incomingCall, networkChanged, remoteAnswered, remoteCandidate, remoteEnded, remoteRenegotiated, useCall, useSignalling } from './calls-store.js';

/** The call events this device sends, each answered by the server (or `offline` as an error). */
export interface CallSignalling {
  invite(payload: CallInvitePayload): Promise<Ack>;
  answer(payload: CallAnswerPayload): Promise<Ack>;
  ice(callId: string, candidate: IceCandidate): Promise<Ack>;
  hangup(payload: CallHangupPayload): Promise<Ack>;
  renegotiate(callId: string, description: { type: 'offer' | 'answer'; sdp: string }): Promise<Ack>;
}

const offline: Ack = { error: { code: 'unavailable', message: 'not connected to the server' } };

function socketSignalling(socket: RealtimeSocket): CallSignalling {
  const send = (emit: (reply: (error: Error | null, answer: unknown) => void) => void): Promise<Ack> => {
    if (!socket.connected) return Promise.resolve(offline);
    return new Promise((resolve) => emit((error, answer) => resolve(error === null ? parseAck(answer) : offline)));
  };
  // socket.timeout() applies to the one emit that follows it, so each emit asks for its own.
  const timed = () => socket.timeout(10_000);
  return {
    invite: (payload) => send((reply) => timed().emit('call:invite', payload, reply)),
    answer: (payload) => send((reply) => timed().emit('call:answer', payload, reply)),
    ice: (callId, candidate) => send((reply) => timed().emit('call:ice', { callId, candidate }, reply)),
    hangup: (payload) => send((reply) => timed().emit('call:hangup', payload, reply)),
    renegotiate: (callId, description) => send((reply) => timed().emit('call:renegotiate', { callId, description }, reply)),
  };
}

/** A caller's name as this person saved it, or their number. */
export function callerName(userId: string, phone: string): string {
  const person = useContacts.getState().merged.find((candidate) => candidate.userId === userId);
  return person === undefined ? formatPhone(phone) : displayName(person);
}

function ignoreMalformed(event: string, problem: string): void {
  console.warn(`ignored a malformed '${event}' event from the server: ${problem}`);
}

function logFailure(what: string): (error: unknown) => void {
  return (error) => console.warn(`call: ${what} failed`, error);
}

/**
 * Connects the calls feature to the app's one socket (each new socket after a sign-in or reconnect).
 * Returns a stop for tests and sign-out.
 */
export function connectCalls(): () => void {
  const onOnline = () => networkChanged();
  window.addEventListener('online', onOnline);
  // Answer or Decline on the desktop's notification of the call that rings here (the host raised the window for Answer).
  const offNotificationAction = bridge().notifications.onCallAction(({ callId, action }) => {
    const { callId: ringing, phase } = useCall.getState();
    if (callId !== ringing || phase !== 'incoming') return;
    if (action === 'answer') void acceptCall().catch(logFailure('answering from the notification'));
    else if (action === 'decline') declineCall();
  });
  // The calls feature owns the call events: whatever listened before (an earlier mount) goes first, so
  // no event is answered twice.
  const callEvents = ['call:incoming', 'call:answered', 'call:ice', 'call:renegotiate', 'call:ended'] as const;
  const sockets: RealtimeSocket[] = [];
  const stop = onRealtimeSocket((socket) => {
    for (const event of callEvents) socket.off(event);
    sockets.push(socket);
    useSignalling(socketSignalling(socket));
    socket.on(
      'call:incoming',
      validatedListener(
        'call:incoming',
        (event) => {
          incomingCall(event.callId, event.from, event.media, event.sdp);
          if (useCall.getState().callId === event.callId) {
            notifyIncomingCall(event.callId, translate(event.media === 'video' ? 'calls.incoming.video' : 'calls.incoming.audio'), translate('calls.notification.incoming', { name: callerName(event.from.userId, event.from.phone) }));
          }
        },
        ignoreMalformed,
      ),
    );
    socket.on('call:answered', validatedListener('call:answered', (event) => void remoteAnswered(event.callId, event.sdp).catch(logFailure('the answer')), ignoreMalformed));
    socket.on('call:ice', validatedListener('call:ice', (event) => void remoteCandidate(event.callId, event.candidate).catch(logFailure('a candidate')), ignoreMalformed));
    socket.on(
      'call:renegotiate',
      validatedListener('call:renegotiate', (event) => void remoteRenegotiated(event.callId, event.description).catch(logFailure('renegotiation')), ignoreMalformed),
    );
    socket.on(
      'call:ended',
      validatedListener(
        'call:ended',
        (event) => {
          const { callId, phase, direction, peer } = useCall.getState();
          const missed = callId === event.callId && phase === 'incoming' && direction === 'incoming' && event.reason === 'timeout';
          remoteEnded(event.callId, event.reason);
          if (missed && peer !== undefined) notifyCall(event.callId, translate('calls.log.missedIncoming'), translate('calls.notification.missed', { name: callerName(peer.userId, peer.phone) }));
        },
        ignoreMalformed,
      ),
    );
  });
  return () => {
    stop();
    for (const socket of sockets.splice(0)) for (const event of callEvents) socket.off(event);
    window.removeEventListener('online', onOnline);
    offNotificationAction();
    useSignalling(undefined);
  };
}
