import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useT } from '../../i18n/i18n.js';

/**
 * A compact emoji grid of our own: emoji are plain text, so a picker only has to offer the common ones
 * (anything else comes from the system's emoji keyboard). A library with every emoji and its names in
 * many languages weighs far more than the chat itself. Screen readers name each emoji themselves.
 */
export const emojiGroups: readonly (readonly string[])[] = [
  ['😀', '😃', '😄', '😁', '😆', '😅', '😂', '🤣', '😊', '😇', '🙂', '😉', '😍', '🥰', '😘', '😋', '😜', '🤪', '🤗', '🤔', '🤫', '😐', '😏', '😴', '😌', '😎', '🥳', '😢', '😭', '😤', '😡', '😱', '😳', '🥺', '🙄', '😬'],
  ['👍', '👎', '👌', '✌️', '🤞', '🤝', '🙏', '👏', '🙌', '👋', '💪', '👀', '🎉', '🎂', '🎁', '🔥', '✨', '⭐', '💯', '✅', '❌', '❓', '❗', '💤'],
  ['❤️', '🧡', '💛', '💚', '💙', '💜', '🖤', '💔', '💕', '😺', '🐶', '🐱', '🐼', '🌸', '🌹', '🌞', '🌙', '🌧️', '☕', '🍵', '🍜', '🍚', '🥟', '🍺', '🍰', '🍎', '⚽', '🏀', '🎵', '📷', '📞', '💼', '🏠', '🚗', '✈️', '🧧'],
];

export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const t = useT();
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    grid.current?.querySelector('button')?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    const buttons = [...(grid.current?.querySelectorAll('button') ?? [])];
    const index = buttons.findIndex((button) => button === document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[event.key];
    if (step === undefined || index < 0) return;
    event.preventDefault();
    buttons[Math.min(buttons.length - 1, Math.max(0, index + step))]?.focus();
  }

  return (
    <div className="emoji-picker" role="dialog" aria-label={t('chat.emoji')} ref={grid} onKeyDown={onKeyDown}>
      {emojiGroups.map((group, groupIndex) => (
        <div key={groupIndex} className="emoji-group">
          {group.map((emoji) => (
            <button key={emoji} type="button" className="emoji" onClick={() => onPick(emoji)}>
              {emoji}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
