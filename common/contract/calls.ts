import { z } from 'zod';

/**
 * 1:1 voice and video calls (M26): WebRTC between the two devices, signalled over the socket. The
 * server only passes session descriptions and ICE candidates along, rings every device of the callee,
 * lets the first answer win and keeps a call log in the conversation.
 */

export const callMedia = ['audio', 'video'] as const;
export type CallMedia = (typeof callMedia)[number];

/** Session descriptions are a few kilobytes; the cap keeps one call from filling the socket buffer. */
const sdp = z.string().min(1).max(64 * 1024);

/** An RTCIceCandidateInit as the browser gives it (null fields are what Chromium sends for "unknown"). */
export const iceCandidate = z.object({
  candidate: z.string().max(2048),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type IceCandidate = z.infer<typeof iceCandidate>;

export const callInvitePayload = z.object({
  callId: z.string().uuid(),
  to: z.object({ userId: z.string().uuid() }).strict(),
  media: z.enum(callMedia),
  sdp,
});
export type CallInvitePayload = z.infer<typeof callInvitePayload>;

export const callAnswerPayload = z.object({ callId: z.string().uuid(), sdp });
export type CallAnswerPayload = z.infer<typeof callAnswerPayload>;

export const callIcePayload = z.object({ callId: z.string().uuid(), candidate: iceCandidate });
export type CallIcePayload = z.infer<typeof callIcePayload>;

/** Why a device leaves or refuses a call. */
export const hangupReasons = ['hangup', 'declined', 'busy', 'failed'] as const;
export const callHangupPayload = z.object({ callId: z.string().uuid(), reason: z.enum(hangupReasons).optional() });
export type CallHangupPayload = z.infer<typeof callHangupPayload>;

/**
 * A new offer or answer during a call (an ICE restart after a network change): the other party's
 * device answers an offer with an answer.
 */
export const callRenegotiatePayload = z.object({ callId: z.string().uuid(), description: z.object({ type: z.enum(['offer', 'answer']), sdp }) });
export type CallRenegotiatePayload = z.infer<typeof callRenegotiatePayload>;

const party = z.object({ userId: z.string(), phone: z.string() });

export const callIncomingEvent = z.object({ callId: z.string(), from: party, media: z.enum(callMedia), sdp, ringSeconds: z.number().int().positive() });
export type CallIncomingEvent = z.infer<typeof callIncomingEvent>;
export const callAnsweredEvent = z.object({ callId: z.string(), from: party, sdp });
export type CallAnsweredEvent = z.infer<typeof callAnsweredEvent>;
export const callIceEvent = z.object({ callId: z.string(), from: party, candidate: iceCandidate });
export type CallIceEvent = z.infer<typeof callIceEvent>;
export const callRenegotiateEvent = z.object({ callId: z.string(), from: party, description: callRenegotiatePayload.shape.description });
export type CallRenegotiateEvent = z.infer<typeof callRenegotiateEvent>;

/**
 * How a call ended, as each device hears it: `answered-elsewhere` goes to the callee's other devices
 * when one of them answers; `timeout` when nobody answered within the ring time; `unavailable` when the
 * callee had no device online; `connection-lost` when a party's device went away for good; `blocked` to
 * the devices of a person who blocked the other party during the call (the other party hears `hangup`,
 * or `declined` while it rang, as if the blocker had ended it: a block is never revealed).
 */
export const callEndReasons = ['hangup', 'declined', 'busy', 'timeout', 'answered-elsewhere', 'unavailable', 'failed', 'connection-lost', 'blocked'] as const;
export type CallEndReason = (typeof callEndReasons)[number];
export const callEndedEvent = z.object({ callId: z.string(), from: party.optional(), reason: z.enum(callEndReasons) });
export type CallEndedEvent = z.infer<typeof callEndedEvent>;

/** What a call leaves in the conversation: who called, how it went, how long it lasted once answered. */
export const callOutcomes = ['answered', 'missed', 'declined', 'busy'] as const;
export type CallOutcome = (typeof callOutcomes)[number];
export const callLogEntry = z
  .object({
    callId: z.string().uuid(),
    media: z.enum(callMedia),
    outcome: z.enum(callOutcomes),
    durationSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();
export type CallLogEntry = z.infer<typeof callLogEntry>;

export const iceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServer>;
/**
 * `ttl` in seconds: how long the TURN credentials stay valid; fetch again before a call after that.
 * `iceTransportPolicy: "relay"` when the operator wants every call through TURN (then neither party
 * learns the other's address).
 */
export const iceServersResponse = z.object({
  iceServers: z.array(iceServer),
  ttl: z.number().int().nonnegative(),
  iceTransportPolicy: z.enum(['all', 'relay']).optional(),
});
export type IceServersResponse = z.infer<typeof iceServersResponse>;
