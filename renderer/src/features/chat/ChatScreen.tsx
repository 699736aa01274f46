import { useEffect } from 'react';
import { useApp } from '../../app/app-store.js';
import { peerOf } from './chat-logic.js';
import { markVisibleRead } from './chat-incoming.js';
import { setChatFocus } from './chat-socket.js';
import { useChat } from './chat-store.js';
import { ConversationList } from './ConversationList.js';
import { ConversationPane } from './ConversationPane.js';
import './chat.css';

/**
 * Chats: the conversation list and the open conversation side by side on a wide screen; on a phone one
 * at a time (the list, or the conversation with a way back), switched by `data-open`.
 */
export function ChatScreen() {
  const openId = useChat((state) => state.openId);
  const conversation = useChat((state) => state.conversations.find((candidate) => candidate.id === openId));
  const me = useApp((state) => state.session?.userId ?? '');
  // Only Switchboard users can be followed; someone on another network (M28) has no user id, and the bridge
  // sends their typing to my own devices anyway.
  const others = conversation?.members.filter((member) => member.userId !== me && member.userId !== '').map((member) => member.userId);
  const focusKey = others?.join(',') ?? '';

  // While a conversation is on screen its messages are read as they come, and the socket follows its people.
  useEffect(() => {
    useChat.getState().setVisible(openId !== undefined);
    markVisibleRead();
    return () => useChat.getState().setVisible(false);
  }, [openId]);
  useEffect(() => {
    setChatFocus(focusKey === '' ? undefined : focusKey.split(','));
  }, [focusKey]);
  // Leaving Chats: the whole roster again (the contact list shows everyone's presence).
  useEffect(() => () => setChatFocus(undefined), []);

  return (
    <div className="chat-screen" data-open={openId === undefined ? 'list' : 'conversation'}>
      <ConversationList />
      {conversation === undefined ? (
        <section className="chat-pane chat-pane-empty" aria-hidden="true" />
      ) : (
        <ConversationPane key={conversation.id} conversation={conversation} peer={peerOf(conversation, me)} />
      )}
    </div>
  );
}
