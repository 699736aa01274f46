import { useState } from 'react';
import type { CallMedia } from '#common/contract/calls.js';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { startCall, useCall } from './calls-store.js';

/**
 * "Voice call" and "Video call" for one person who uses Switchboard: on the contact detail screen and
 * in a conversation's header (`<CallButtons userId phone name />`). Disabled offline and during a call.
 */
export function CallButtons({ userId, phone, name, compact = false }: { userId: string; phone: string; name: string; compact?: boolean }) {
  const t = useT();
  const online = useApp((state) => state.connection === 'online');
  const busy = useCall((state) => state.phase !== 'idle' && state.phase !== 'ended');
  const [error, setError] = useState<unknown>(undefined);

  function call(media: CallMedia): void {
    setError(undefined);
    startCall({ userId, phone }, media).catch(setError);
  }

  return (
    <div className="call-buttons">
      <div className="actions">
        <button type="button" aria-label={t('calls.voiceWith', { name })} disabled={!online || busy} onClick={() => call('audio')}>
          <span aria-hidden="true">📞 </span>
          {compact ? null : t('calls.voice')}
        </button>
        <button type="button" aria-label={t('calls.videoWith', { name })} disabled={!online || busy} onClick={() => call('video')}>
          <span aria-hidden="true">🎥 </span>
          {compact ? null : t('calls.video')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}
