import { useEffect, useState } from 'react';
import type { MessageParty } from '#common/contract/messages.js';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { peerKey } from './chat-logic.js';
import { conversationTitle, nameOf } from './chat-notify.js';
import { useChat } from './chat-store.js';
import { useOutsideContacts } from './outside-contacts-store.js';
import type { LocalConversation } from './chat-types.js';
import { CallButtons } from '../calls/CallButtons.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';

/** Who of this conversation is typing now (typing events expire on their own if "paused" never comes). */
function useTypingNames(conversation: LocalConversation, me: string): string[] {
  const typing = useChat((state) => state.typing);
  const [now, setNow] = useState(() => Date.now());
  const soonest = Math.min(...Object.values(typing).filter((until) => until > now), Number.POSITIVE_INFINITY);
  useEffect(() => {
    if (!Number.isFinite(soonest)) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(50, soonest - Date.now()));
    return () => clearTimeout(timer);
  }, [soonest]);
  return conversation.members.filter((member) => member.userId !== me && (typing[peerKey(member)] ?? 0) > now).map((member) => nameOf(member));
}

export function ConversationPane({ conversation, peer }: { conversation: LocalConversation; peer: MessageParty | undefined }) {
  const t = useT();
  const me = useApp((state) => state.session?.userId ?? '');
  const offline = useApp((state) => state.connection !== 'online');
  const title = conversationTitle(conversation, me);
  const typingNames = useTypingNames(conversation, me);
  // Someone on another network: their presence there, like a network icon (M28).
  const outsideAddress = peer?.address;
  const outsidePresence = useOutsideContacts((state) => (outsideAddress === undefined ? undefined : state.presence[outsideAddress]));

  return (
    <section className="chat-pane" aria-labelledby="conversation-heading">
      <header className="chat-pane-header">
        <button type="button" className="chat-back" aria-label={t('chat.back')} onClick={() => void useChat.getState().open(undefined)}>
          ‹
        </button>
        <div className="chat-pane-title">
          <h2 id="conversation-heading">{title}</h2>
          <p className="muted chat-pane-sub" aria-live="polite" data-testid="typing">
            {typingNames.length > 0
              ? t('chat.typing', { count: typingNames.length, name: typingNames.join(', ') })
              : conversation.kind === 'group'
                ? t('chat.members', { count: conversation.members.length })
                : offline
                  ? t('chat.offlineQueued')
                  : outsidePresence !== undefined
                    ? t('chat.xmpp.presenceLine', { status: t(`chat.xmpp.status.${outsidePresence.status}`) })
                    : ''}
          </p>
        </div>
        {conversation.kind === 'direct' && peer !== undefined && peer.address === undefined && peer.userId !== '' && <CallButtons userId={peer.userId} phone={peer.phone} name={title} compact />}
      </header>
      <MessageList conversation={conversation} me={me} title={title} />
      <Composer conversation={conversation} peer={peer} />
    </section>
  );
}
