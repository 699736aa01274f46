import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useT } from '../../i18n/i18n.js';
import { peerKey } from './chat-logic.js';
import { useChat } from './chat-store.js';
import type { LocalConversation } from './chat-types.js';
import { MessageBubble } from './MessageBubble.js';

/** Near the top this far (px), the next older page loads. */
const loadOlderMargin = 300;
/** Within this far of the bottom, new messages keep the view at the bottom. */
const stickMargin = 80;

/**
 * The messages, virtualised with @tanstack/react-virtual: only the rows in view exist in the DOM, each
 * measured as it renders (a line of text and a picture differ a lot in height), so a history of
 * thousands scrolls as lightly as ten. Scrolling up loads older pages; a new message keeps the view at
 * the bottom unless the person scrolled away to read.
 */
export function MessageList({ conversation, me, title }: { conversation: LocalConversation; me: string; title: string }) {
  const t = useT();
  const messages = useChat((state) => state.messages);
  const hasOlder = useChat((state) => state.hasOlder);
  const loadingOlder = useChat((state) => state.loadingOlder);
  const highlightKey = useChat((state) => state.highlightKey);
  const viewport = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstKey = useRef<string | undefined>(undefined);
  const lastKey = useRef<string | undefined>(undefined);

  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => viewport.current,
    estimateSize: () => 56,
    overscan: 10,
    getItemKey: (index) => messages[index]?.key ?? index,
  });

  // Older messages came in front: the message that was first stays where the eye was. A new last one
  // scrolls into view when the person was at the bottom, or wrote it.
  useLayoutEffect(() => {
    const previousFirst = firstKey.current;
    const previousLast = lastKey.current;
    firstKey.current = messages[0]?.key;
    lastKey.current = messages.at(-1)?.key;
    if (messages.length === 0) return;
    if (previousFirst !== undefined && previousFirst !== messages[0]?.key && previousLast === messages.at(-1)?.key) {
      const index = messages.findIndex((message) => message.key === previousFirst);
      if (index > 0) virtualizer.scrollToIndex(index, { align: 'start' });
      return;
    }
    const newest = messages.at(-1);
    if (previousLast !== newest?.key && (previousLast === undefined || atBottom.current || newest?.from.userId === me)) {
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    }
  }, [messages, virtualizer, me]);

  useEffect(() => {
    if (highlightKey === undefined) return;
    const index = messages.findIndex((message) => message.key === highlightKey);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' });
  }, [highlightKey, messages, virtualizer]);

  function onScroll(): void {
    const element = viewport.current;
    if (element === null) return;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < stickMargin;
    if (element.scrollTop < loadOlderMargin && hasOlder && !loadingOlder) void useChat.getState().loadOlder();
  }

  // A first page shorter than the view cannot be scrolled up: fetch on until it fills the view or ends.
  useEffect(() => {
    const element = viewport.current;
    if (element !== null && hasOlder && !loadingOlder && element.scrollHeight <= element.clientHeight) void useChat.getState().loadOlder();
  }, [hasOlder, loadingOlder, messages.length]);

  const items = virtualizer.getVirtualItems();
  return (
    <div className="message-viewport" ref={viewport} onScroll={onScroll} role="log" aria-label={t('chat.messagesOf', { title })} tabIndex={0}>
      {loadingOlder && <p className="muted message-loading">{t('common.loading')}</p>}
      {messages.length === 0 && !loadingOlder && <p className="muted message-empty">{t('chat.sayHello')}</p>}
      <div className="message-spacer" style={{ height: virtualizer.getTotalSize() }}>
        <div className="message-window" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
          {items.map((item) => {
            const message = messages[item.index];
            if (message === undefined) return null;
            const previous = messages[item.index - 1];
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement}>
                <MessageBubble
                  message={message}
                  conversation={conversation}
                  me={me}
                  showSender={conversation.kind === 'group' && message.from.userId !== me && (previous === undefined || peerKey(previous.from) !== peerKey(message.from))}
                  highlighted={message.key === highlightKey}
                />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
