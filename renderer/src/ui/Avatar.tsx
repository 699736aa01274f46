import { initialsOf, toneOf } from './avatar.js';

export type AvatarStatus = 'online' | 'busy' | 'away' | 'invisible' | 'offline';

interface AvatarProps {
  name: string;
  /** What the colour derives from: a stable id of the person, not the name (which may be edited). */
  seed: string;
  /** Omitted for people who are not on Switchboard: no dot then. */
  status?: AvatarStatus;
  size?: 'sm' | 'lg';
}

/** Initials on a colour derived from the person, with a status dot; decorative (the text beside says it). */
export function Avatar({ name, seed, status, size = 'sm' }: AvatarProps) {
  return (
    <span className={`avatar tone-${toneOf(seed)}${size === 'lg' ? ' avatar-lg' : ''}`} aria-hidden="true" data-status={status}>
      {initialsOf(name)}
      {status !== undefined && <span className={`avatar-dot status-${status}`} />}
    </span>
  );
}
