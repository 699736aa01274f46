import { useEffect, useRef, useState } from 'react';
import { useT } from '../../i18n/i18n.js';
import { readCallStats, type CallStats } from './call-stats.js';
import { callerName, connectCalls } from './call-signalling.js';
import { formatCallDuration } from './CallLogLine.js';
import { acceptCall, declineCall, dismissEnded, hangUp, peerConnection, switchDevice, toggleCamera, toggleMute, useCall } from './calls-store.js';
import './calls.css';

/**
 * The calls layer of the signed-in app: connects the calls feature to the socket and shows, above every
 * screen, the incoming call, my call ringing out, the call itself with its controls, or how it ended.
 */
export function CallLayer() {
  useEffect(() => connectCalls(), []);
  const phase = useCall((state) => state.phase);
  return phase === 'idle' ? null : <CallScreen />;
}

function CallScreen() {
  const t = useT();
  const { phase, peer, media, direction, muted, cameraOff, reconnecting, localStream, remoteStream, connectedAt, setupMs, answerSetupMs, iceRestarts, endedReason } = useCall();
  const [showStats, setShowStats] = useState(false);
  const name = peer === undefined ? '' : callerName(peer.userId, peer.phone);
  const first = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    first.current?.focus();
  }, [phase]);

  const status =
    phase === 'incoming'
      ? t(media === 'video' ? 'calls.incoming.video' : 'calls.incoming.audio')
      : phase === 'outgoing'
        ? t('calls.calling')
        : phase === 'connecting'
          ? t('calls.connecting')
          : phase === 'active'
            ? reconnecting
              ? t('calls.reconnecting')
              : t('calls.connected')
            : t(`calls.ended.${endedReason ?? 'hangup'}`);

  return (
    <section
      className={`call-screen call-${phase} ${media === 'video' ? 'call-video' : 'call-audio'}`}
      role="dialog"
      aria-modal="false"
      aria-label={t('calls.screen', { name })}
      data-testid="call-screen"
      data-phase={phase}
      data-direction={direction}
      data-ice-restarts={iceRestarts}
      {...(setupMs === undefined ? {} : { 'data-setup-ms': String(setupMs) })}
      {...(answerSetupMs === undefined ? {} : { 'data-answer-setup-ms': String(answerSetupMs) })}
    >
      <div className="call-media">
        {media === 'video' && <Video stream={remoteStream} className="call-remote-video" muted={false} />}
        {media === 'audio' && <Audio stream={remoteStream} />}
        {media === 'video' && localStream !== undefined && <Video stream={localStream} className="call-local-video" muted />}
      </div>
      <div className="call-info">
        <h2 className="call-name">{name}</h2>
        <p className="call-status" role="status" aria-live="polite">
          {status}
        </p>
        {phase === 'active' && connectedAt !== undefined && <Duration since={connectedAt} />}
      </div>

      {phase === 'incoming' && (
        <div className="call-controls">
          <button type="button" ref={first} className="call-answer" onClick={() => void acceptCall().catch((error: unknown) => console.warn('answering failed', error))}>
            {t('calls.answer')}
          </button>
          <button type="button" className="call-hangup" onClick={declineCall}>
            {t('calls.decline')}
          </button>
        </div>
      )}
      {(phase === 'outgoing' || phase === 'connecting') && (
        <div className="call-controls">
          <button type="button" ref={first} className="call-hangup" onClick={hangUp}>
            {phase === 'outgoing' ? t('calls.cancel') : t('calls.hangUp')}
          </button>
        </div>
      )}
      {phase === 'active' && (
        <>
          <div className="call-controls">
            <button type="button" aria-pressed={muted} onClick={toggleMute}>
              {muted ? t('calls.unmute') : t('calls.mute')}
            </button>
            {media === 'video' && (
              <>
                <button type="button" aria-pressed={cameraOff} onClick={toggleCamera}>
                  {cameraOff ? t('calls.cameraOn') : t('calls.cameraOff')}
                </button>
                <button type="button" onClick={() => void switchDevice('videoinput').catch((error: unknown) => console.warn('switching the camera failed', error))}>
                  {t('calls.switchCamera')}
                </button>
              </>
            )}
            <button type="button" onClick={() => void switchDevice('audioinput').catch((error: unknown) => console.warn('switching the microphone failed', error))}>
              {t('calls.switchMicrophone')}
            </button>
            <button type="button" aria-expanded={showStats} onClick={() => setShowStats(!showStats)}>
              {showStats ? t('calls.hideStats') : t('calls.showStats')}
            </button>
            <button type="button" ref={first} className="call-hangup" onClick={hangUp}>
              {t('calls.hangUp')}
            </button>
          </div>
          {showStats && <StatsPanel />}
        </>
      )}
      {phase === 'ended' && (
        <div className="call-controls">
          <button type="button" ref={first} onClick={dismissEnded}>
            {t('calls.close')}
          </button>
        </div>
      )}
    </section>
  );
}

function Video({ stream, className, muted }: { stream: MediaStream | undefined; className: string; muted: boolean }) {
  const element = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (element.current !== null) element.current.srcObject = stream ?? null;
  }, [stream]);
  return <video ref={element} className={className} autoPlay playsInline muted={muted} />;
}

function Audio({ stream }: { stream: MediaStream | undefined }) {
  const element = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (element.current !== null) element.current.srcObject = stream ?? null;
  }, [stream]);
  return <audio ref={element} autoPlay />;
}

function Duration({ since }: { since: number }) {
  const t = useT();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const text = formatCallDuration((now - since) / 1000);
  return (
    <p className="call-duration" aria-label={t('calls.duration', { duration: text })}>
      {text}
    </p>
  );
}

/** Round-trip time, packet loss and what arrived, read from the connection every second while shown. */
function StatsPanel() {
  const t = useT();
  const [stats, setStats] = useState<CallStats | undefined>(undefined);
  useEffect(() => {
    let current = true;
    const read = () => {
      const connection = peerConnection();
      if (connection === undefined) return;
      readCallStats(connection).then(
        (next) => current && setStats(next),
        (error: unknown) => console.warn('call stats failed', error),
      );
    };
    read();
    const timer = setInterval(read, 1000);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, []);
  if (stats === undefined) return null;
  return (
    <ul className="call-stats" data-testid="call-stats" data-bytes-received={stats.bytesReceived} data-relayed={String(stats.relayed)}>
      <li>{stats.roundTripMs === undefined ? t('calls.stats.rttUnknown') : t('calls.stats.rtt', { ms: stats.roundTripMs })}</li>
      <li>{t('calls.stats.loss', { percent: stats.packetLossPercent })}</li>
      <li>{t('calls.stats.received', { kilobytes: Math.round(stats.bytesReceived / 1024) })}</li>
      {stats.relayed !== undefined && <li>{t('calls.stats.path', { path: t(stats.relayed ? 'calls.stats.relay' : 'calls.stats.direct') })}</li>}
    </ul>
  );
}
