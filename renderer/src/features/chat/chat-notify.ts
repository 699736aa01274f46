import { useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { translate } from '../../i18n/i18n.js';
import { displayName, useContacts } from '../contacts/contacts-store.js';
import { formatPhone } from '../../ui/format.js';
import { callLogText } from '../calls/CallLogLine.js';
import { totalUnread } from './chat-logic.js';
import { useChat } from './chat-store.js';
import type { LocalChatMessage, LocalConversation, LocalMessageBody } from './chat-types.js';

/** How the chat names a person: their name in my book, else their number. */
export function nameOf(member: { userId: string; phone: string; address?: string; network?: string }): string {
  // Someone on another network (the XMPP bridge): their address, with the network's name as its mark.
  if (member.address !== undefined) return `${member.address.replace(/^xmpp:/, '')} (XMPP)`;
  const person = useContacts.getState().people.find((candidate) => candidate.userId === member.userId);
  if (person !== undefined) return displayName(person);
  return member.phone === '' ? translate('chat.unknownPerson') : formatPhone(member.phone);
}

export function conversationTitle(conversation: Pick<LocalConversation, 'kind' | 'title' | 'members'>, me: string): string {
  if (conversation.kind === 'group') return conversation.title ?? translate('chat.untitledGroup');
  const other = conversation.members.find((member) => member.userId !== me);
  return other === undefined ? translate('chat.unknownPerson') : nameOf(other);
}

/** One line for a message in a list or a notification. */
export function summaryOf(body: LocalMessageBody, outgoing = false): string {
  if ('text' in body) return body.text;
  if ('call' in body) return callLogText(translate, body.call, outgoing);
  const caption = body.caption ?? '';
  return caption === '' ? translate('chat.attachment') : `📎 ${caption}`;
}

export function notificationsAvailable(): boolean {
  return typeof Notification !== 'undefined';
}

/** Asked only from a click ("Turn on notifications"): browsers refuse or remember a prompt nobody asked for. */
export async function askNotificationPermission(): Promise<NotificationPermission> {
  if (!notificationsAvailable()) return 'denied';
  return Notification.requestPermission();
}

/**
 * New messages from others while the window is hidden (or another conversation is open): one
 * notification per conversation, replaced by the next (same tag). A click brings the window back there.
 */
export function announce(messages: readonly LocalChatMessage[]): void {
  if (messages.length === 0 || !notificationsAvailable() || Notification.permission !== 'granted') return;
  const { openId, visible, conversations } = useChat.getState();
  const me = useApp.getState().session?.userId ?? '';
  const latest = new Map<string, LocalChatMessage>();
  for (const message of messages) latest.set(message.conversationId, message);
  for (const message of latest.values()) {
    const onScreen = document.visibilityState === 'visible' && visible && openId === message.conversationId;
    if (onScreen) continue;
    const conversation = conversations.find((candidate) => candidate.id === message.conversationId);
    const sender = nameOf(message.from);
    const title = conversation?.kind === 'group' ? `${sender} · ${conversationTitle(conversation, me)}` : sender;
    const notice = new Notification(title, { body: summaryOf(message.body), tag: message.conversationId });
    notice.onclick = () => {
      window.focus();
      useApp.getState().setScreen('chat');
      void useChat.getState().open(message.conversationId);
      notice.close();
    };
  }
}

let shownUnread = -1;
const baseTitle = typeof document === 'undefined' ? 'Switchboard' : document.title;

/**
 * The unread count follows the conversations: in the page's title ("(3) Switchboard", which a browser
 * shows on its tab) and, on the desktop, on the tray icon and dock through the bridge.
 */
export function startUnreadBadge(): () => void {
  const update = (conversations: readonly LocalConversation[]) => {
    const count = totalUnread(conversations);
    if (count === shownUnread) return;
    shownUnread = count;
    document.title = count === 0 ? baseTitle : `(${count}) ${baseTitle}`;
    if (useApp.getState().info?.kind === 'desktop') void bridge().notifications.setUnreadCount({ count }).catch(() => undefined);
  };
  update(useChat.getState().conversations);
  return useChat.subscribe((state) => update(state.conversations));
}
