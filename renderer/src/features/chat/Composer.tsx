import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { maxMessageTextLength } from '#common/contract/messages.js';
import { useT } from '../../i18n/i18n.js';
import { sendTyping } from './chat-socket.js';
import { useChat } from './chat-store.js';
import type { MessageParty } from '#common/contract/messages.js';
import { peerKey } from './chat-logic.js';
import type { LocalConversation } from './chat-types.js';
import { EmojiPicker } from './EmojiPicker.js';

/** "Typing" is said again this often while the person keeps typing, and "paused" after this long idle. */
const typingRepeatMs = 3000;
const typingIdleMs = 4000;

/** Typing state for a direct conversation's other person (the server's typing event names one person). */
function useTypingSignal(peer: string | undefined): { typed(): void; stopped(): void } {
  const lastSent = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const stopped = () => {
    clearTimeout(idle.current);
    idle.current = undefined;
    if (peer !== undefined && lastSent.current > 0) sendTyping(peer, 'paused');
    lastSent.current = 0;
  };
  // Leaving the conversation says "paused" once.
  useEffect(() => stopped, [peer]);
  return {
    typed() {
      if (peer === undefined) return;
      if (Date.now() - lastSent.current > typingRepeatMs) {
        sendTyping(peer, 'typing');
        lastSent.current = Date.now();
      }
      clearTimeout(idle.current);
      idle.current = setTimeout(stopped, typingIdleMs);
    },
    stopped,
  };
}

export function Composer({ conversation, peer }: { conversation: LocalConversation; peer: MessageParty | undefined }) {
  const t = useT();
  const [text, setText] = useState('');
  const [picking, setPicking] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  // Typing goes to the user, or to the outside address (the bridge turns it into an XMPP chat state).
  const typing = useTypingSignal(peer === undefined ? undefined : peerKey(peer));

  useEffect(() => {
    input.current?.focus();
  }, [conversation.id]);

  function send(event?: FormEvent): void {
    event?.preventDefault();
    const body = text.trim();
    if (body === '') return;
    setText('');
    typing.stopped();
    void useChat.getState().write({ text: body });
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): void {
    // Enter sends, Shift+Enter starts a new line; an IME composing Chinese keeps its Enter.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) send(event);
  }

  function insertEmoji(emoji: string): void {
    const element = input.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + emoji + text.slice(end));
    setPicking(false);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  }

  function attach(files: FileList | null): void {
    const file = files?.[0];
    if (file === undefined) return;
    const caption = text.trim();
    setText('');
    void useChat.getState().write({ pendingFile: { blob: file, name: file.name, type: file.type }, ...(caption === '' ? {} : { caption }) });
    if (fileInput.current !== null) fileInput.current.value = '';
  }

  return (
    <form className="composer" onSubmit={send}>
      {picking && <EmojiPicker onPick={insertEmoji} onClose={() => setPicking(false)} />}
      <button type="button" className="composer-tool" aria-label={t('chat.emoji')} aria-expanded={picking} onClick={() => setPicking(!picking)}>
        😊
      </button>
      <label className="composer-tool button-like" title={t('chat.attach')}>
        {/* A drawn paperclip: the emoji is missing from some systems' fonts. */}
        <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M21 11.5l-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l9-9a3.7 3.7 0 0 1 5.2 5.2l-9 9a1.8 1.8 0 0 1-2.6-2.6l8.3-8.3" />
        </svg>
        <input ref={fileInput} type="file" className="visually-hidden" aria-label={t('chat.attach')} onChange={(event) => attach(event.target.files)} />
      </label>
      <textarea
        ref={input}
        className="composer-input"
        rows={1}
        aria-label={t('chat.message')}
        placeholder={t('chat.message')}
        maxLength={maxMessageTextLength}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value !== '') typing.typed();
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary composer-send" disabled={text.trim() === ''}>
        {t('chat.send')}
      </button>
    </form>
  );
}
