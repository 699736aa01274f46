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
import { GroupInfoDialog } from './GroupInfoDialog.js';
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
  const [infoOpen, setInfoOpen] = useState(false);

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
              : conversation.left !== undefined
                ? t('chat.group.notMember')
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
        {conversation.kind === 'group' && (
          <button type="button" className="icon-button chat-group-info" aria-label={t('chat.group.info')} title={t('chat.group.info')} aria-haspopup="dialog" onClick={() => setInfoOpen(true)}>
            {/* A drawn "i" in a circle: the same on every system, in the text colour of either theme. */}
            <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
              <circle cx="12" cy="12" r="9.5" />
              <path d="M12 11v6" />
              <path d="M12 7.5v.01" />
            </svg>
          </button>
        )}
      </header>
      <MessageList conversation={conversation} me={me} title={title} />
      {conversation.left === undefined ? (
        <Composer conversation={conversation} peer={peer} />
      ) : (
        // History stays readable; there is nobody to write to from here any more.
        <p className="chat-left-notice" role="status">
          {t(conversation.left === 'left' ? 'chat.group.youLeft' : 'chat.group.youWereRemoved')}
        </p>
      )}
      {infoOpen && <GroupInfoDialog conversationId={conversation.id} onClose={() => setInfoOpen(false)} />}
    </section>
  );
}
