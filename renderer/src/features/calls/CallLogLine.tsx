import type { CallLogEntry } from '#common/contract/calls.js';
import { useT, type Translate } from '../../i18n/i18n.js';

/** "4:05" or "1:02:03": a call's length as a clock reads. */
export function formatCallDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** The words for a call log entry of a conversation; `outgoing` when I was the caller (the message is mine). */
export function callLogText(t: Translate, call: CallLogEntry, outgoing: boolean): string {
  switch (call.outcome) {
    case 'answered':
      return t(call.media === 'video' ? 'calls.log.answered.video' : 'calls.log.answered.audio', { duration: formatCallDuration(call.durationSeconds ?? 0) });
    case 'missed':
      return t(outgoing ? 'calls.log.missedOutgoing' : 'calls.log.missedIncoming');
    case 'declined':
      return t('calls.log.declined');
    case 'busy':
      return t('calls.log.busy');
  }
}

/**
 * A call log entry as a line of a conversation (a message whose body is `{ call }`), for the chat view:
 * `<CallLogLine call={message.body.call} outgoing={message.from.userId === myUserId} />`.
 */
export function CallLogLine({ call, outgoing }: { call: CallLogEntry; outgoing: boolean }) {
  const t = useT();
  const missed = call.outcome !== 'answered';
  return (
    <span className={`call-log ${missed ? 'call-log-missed' : ''}`} data-call-outcome={call.outcome}>
      <span aria-hidden="true">{call.media === 'video' ? '🎥 ' : '📞 '}</span>
      {callLogText(t, call, outgoing)}
    </span>
  );
}
