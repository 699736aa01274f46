import { useEffect, useState } from 'react';
import type { MessageParty } from '#common/contract/messages.js';
import { useApp } from '../../app/app-store.js';
import { localDb } from '../../db/local-db.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { Avatar } from '../../ui/Avatar.js';
import { formatSince } from '../../ui/format.js';
import { peerKey, unreadOf } from './chat-logic.js';
import { askNotificationPermission, conversationTitle, nameOf, notificationsAvailable, summaryOf } from './chat-notify.js';
import { useChat } from './chat-store.js';
import type { LocalChatMessage } from './chat-types.js';
import { NewGroupDialog } from './NewGroupDialog.js';
import { OutsideContactsDialog } from './OutsideContactsDialog.js';

const searchLimit = 50;

/** An avatar's colour follows the person: their user id, or their outside address (M28). */
function peerSeed(peer: MessageParty | undefined, fallback: string): string {
  return peer === undefined ? fallback : peerKey(peer) || fallback;
}

/** Local search over every message kept on this device (never on the server). */
async function searchHistory(query: string): Promise<LocalChatMessage[]> {
  const needle = query.trim().toLocaleLowerCase();
  if (needle === '') return [];
  const found = await localDb.chatMessages.filter((message) => message.searchText.includes(needle)).limit(searchLimit * 4).toArray();
  return found.sort((a, b) => (a.sentAt < b.sentAt ? 1 : -1)).slice(0, searchLimit);
}

export function ConversationList() {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const conversations = useChat((state) => state.conversations);
  const openId = useChat((state) => state.openId);
  const me = useApp((state) => state.session?.userId ?? '');
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<LocalChatMessage[] | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const [xmppOpen, setXmppOpen] = useState(false);
  const [permission, setPermission] = useState(notificationsAvailable() ? Notification.permission : 'denied');

  useEffect(() => {
    let current = true;
    if (query.trim() === '') {
      setResults(undefined);
      return;
    }
    void searchHistory(query).then((found) => current && setResults(found));
    return () => {
      current = false;
    };
  }, [query]);

  async function jumpTo(message: LocalChatMessage): Promise<void> {
    await useChat.getState().open(message.conversationId);
    // Older pages load until the found message is there (bounded), and the list scrolls to it.
    for (let page = 0; page < 40 && !useChat.getState().messages.some((candidate) => candidate.key === message.key) && useChat.getState().hasOlder; page += 1) {
      await useChat.getState().loadOlder();
    }
    useChat.setState({ highlightKey: message.key });
  }

  const byId = new Map(conversations.map((conversation) => [conversation.id, conversation]));

  return (
    <section className="chat-list" aria-labelledby="chat-heading">
      <header className="chat-list-header">
        <h1 id="chat-heading">{t('chat.heading')}</h1>
        <button type="button" onClick={() => setCreating(true)}>
          {t('chat.newGroup')}
        </button>
        <button type="button" onClick={() => setXmppOpen(true)}>
          {t('chat.xmpp.open')}
        </button>
        <input type="search" className="search" aria-label={t('chat.search')} placeholder={t('chat.search')} value={query} onChange={(event) => setQuery(event.target.value)} />
        {permission === 'default' && (
          <button type="button" className="link" onClick={() => void askNotificationPermission().then(setPermission)}>
            {t('chat.enableNotifications')}
          </button>
        )}
      </header>
      {results !== undefined ? (
        <>
          <p className="muted chat-list-note" aria-live="polite">
            {t('chat.searchResults', { count: results.length })}
          </p>
          <ul className="chat-results" aria-label={t('chat.searchResultsLabel')}>
            {results.map((message) => {
              const conversation = byId.get(message.conversationId);
              return (
                <li key={message.key}>
                  <button type="button" className="chat-row" onClick={() => void jumpTo(message)}>
                    <span className="chat-row-main">
                      <span className="chat-row-title">{conversation === undefined ? nameOf(message.from) : conversationTitle(conversation, me)}</span>
                      <span className="chat-row-preview">
                        {nameOf(message.from)}: {summaryOf(message.body)}
                      </span>
                    </span>
                    <span className="chat-row-time muted">{formatSince(message.sentAt, language)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      ) : conversations.length === 0 ? (
        <div className="empty-state">
          <p>{t('chat.empty')}</p>
          <p className="muted">{t('chat.emptyHint')}</p>
        </div>
      ) : (
        <ul className="chat-conversations" aria-label={t('chat.conversations')}>
          {conversations.map((conversation) => {
            const title = conversationTitle(conversation, me);
            const unread = unreadOf(conversation);
            const last = conversation.lastMessage;
            const lastFrom = last === undefined ? undefined : conversation.members.find((member) => member.userId === last.from);
            const preview =
              last === undefined
                ? t('chat.noMessages')
                : last.from === me
                  ? t('chat.youSaid', { text: summaryOf(last.body, true) })
                  : conversation.kind === 'group' && lastFrom !== undefined
                    ? `${nameOf(lastFrom)}: ${summaryOf(last.body)}`
                    : summaryOf(last.body);
            return (
              <li key={conversation.id}>
                <button
                  type="button"
                  className="chat-row"
                  aria-current={conversation.id === openId ? 'true' : undefined}
                  aria-label={unread === 0 ? title : `${title}, ${t('chat.unread', { count: unread })}`}
                  data-conversation={conversation.id}
                  onClick={() => void useChat.getState().open(conversation.id)}
                >
                  <Avatar name={title} seed={conversation.kind === 'group' ? conversation.id : peerSeed(conversation.members.find((member) => member.userId !== me), conversation.id)} />
                  <span className="chat-row-main">
                    <span className="chat-row-title">{title}</span>
                    <span className="chat-row-preview">{preview}</span>
                  </span>
                  <span className="chat-row-side">
                    {last !== undefined && <span className="chat-row-time muted">{formatSince(last.sentAt, language)}</span>}
                    {unread > 0 && (
                      <span className="unread-badge" data-testid="unread-badge" aria-hidden="true">
                        {unread > 99 ? '99+' : unread}
                      </span>
                    )}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {creating && <NewGroupDialog onClose={() => setCreating(false)} />}
      {xmppOpen && <OutsideContactsDialog onClose={() => setXmppOpen(false)} />}
    </section>
  );
}
