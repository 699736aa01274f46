import { useEffect, useRef } from 'react';
import { AccountsScreen } from '../features/accounts/AccountsScreen.js';
import { ContactsScreen } from '../features/contacts/ContactsScreen.js';
import { FeedScreen } from '../features/feed/FeedScreen.js';
import { NewPostsBadge } from '../features/feed/NewPostsBadge.js';
import { ProfileScreen } from '../features/profile/ProfileScreen.js';
import { ChatScreen } from '../features/chat/ChatScreen.js';
import { totalUnread } from '../features/chat/chat-logic.js';
import { useChat } from '../features/chat/chat-store.js';
import { ImportScreen } from '../features/import/ImportScreen.js';
import { KeyExchangePanel } from '../features/key-exchange/KeyExchangePanel.js';
import { OnboardingScreen } from '../features/onboarding/OnboardingScreen.js';
import { PrivacyScreen } from '../features/privacy/PrivacyScreen.js';
import { SettingsScreen } from '../features/settings/SettingsScreen.js';
import { StatusScreen } from '../features/status/StatusScreen.js';
import { CallLayer } from '../features/calls/CallScreen.js';
import { languages, useLanguage, useT } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/en.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { formatPhone } from '../ui/format.js';
import { useToast } from '../ui/toast-store.js';
import { useApp, type Screen } from './app-store.js';
import { signOut } from './session.js';

const screens: { id: Screen; label: MessageKey }[] = [
  { id: 'contacts', label: 'nav.contacts' },
  { id: 'chat', label: 'nav.chat' },
  { id: 'feed', label: 'nav.feed' },
  { id: 'import', label: 'nav.import' },
  { id: 'accounts', label: 'nav.accounts' },
  { id: 'privacy', label: 'nav.privacy' },
  { id: 'status', label: 'nav.status' },
  { id: 'settings', label: 'nav.settings' },
];

export function App() {
  const phase = useApp((state) => state.phase);
  const startError = useApp((state) => state.startError);
  const language = useLanguage((state) => state.language);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  if (phase === 'starting') return null;
  if (phase === 'failed') {
    // The cause goes to the console for a developer; the person gets words and a way forward.
    console.error('Switchboard could not start', startError);
    return (
      <main className="onboarding">
        <ErrorNotice error={new Error(startError)} />
      </main>
    );
  }
  return (
    <>
      {phase === 'signed-out' ? <OnboardingScreen languageSwitch={<LanguageSwitch />} /> : <SignedInShell />}
      <Toast />
    </>
  );
}

export function LanguageSwitch() {
  const t = useT();
  const { language, setLanguage } = useLanguage();
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t('language.label')}</span>
      <select aria-label={t('language.label')} value={language} onChange={(event) => setLanguage(event.target.value === 'zh-CN' ? 'zh-CN' : 'en')}>
        {languages.map((option) => (
          <option key={option.id} value={option.id} lang={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function SignedInShell() {
  const t = useT();
  const screen = useApp((state) => state.screen);
  const setScreen = useApp((state) => state.setScreen);
  const connection = useApp((state) => state.connection);
  const phone = useApp((state) => state.session?.phone);
  const unread = useChat((state) => totalUnread(state.conversations));
  const main = useRef<HTMLElement>(null);

  function go(next: Screen): void {
    setScreen(next);
    // Move focus to the new screen, so keyboard and screen-reader users land where the content changed.
    requestAnimationFrame(() => main.current?.focus());
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.label')} className="main-nav">
          <ul className="tabs">
            {screens.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  aria-current={screen === item.id ? 'page' : undefined}
                  aria-label={item.id === 'chat' && unread > 0 ? t('nav.chatUnread', { count: unread }) : undefined}
                  onClick={() => go(item.id)}
                >
                  {t(item.label)}
                  {item.id === 'feed' && <NewPostsBadge />}
                  {item.id === 'chat' && unread > 0 && (
                    <span className="unread-badge nav-badge" aria-hidden="true" data-testid="nav-unread">
                      {unread > 99 ? '99+' : unread}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          {phone !== undefined && (
            <span className="me" title={t('app.signedInAs', { phone: formatPhone(phone) })}>
              {formatPhone(phone)}
            </span>
          )}
          <LanguageSwitch />
          <button type="button" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      {connection === 'offline' && (
        <p className="offline-banner" role="status" data-testid="offline-banner">
          {t('connection.offline')}
        </p>
      )}
      <main id="main" ref={main} tabIndex={-1} className="content">
        <KeyExchangePanel />
        {screen === 'contacts' && <ContactsScreen />}
        {screen === 'chat' && <ChatScreen />}
        {screen === 'import' && <ImportScreen />}
        {screen === 'accounts' && <AccountsScreen />}
        {screen === 'privacy' && <PrivacyScreen />}
        {screen === 'status' && <StatusScreen />}
        {screen === 'settings' && <SettingsScreen />}
        {screen === 'feed' && <FeedScreen />}
        {screen === 'profile' && <ProfileScreen />}
      </main>
      <CallLayer />
    </div>
  );
}

function Toast() {
  const { message, tone, action, dismiss, hold, release } = useToast();
  return (
    <div
      className={`toast ${tone === 'error' ? 'toast-error' : ''}`}
      role={tone === 'error' ? 'alert' : 'status'}
      aria-live="polite"
      hidden={message === undefined}
      onPointerEnter={hold}
      onPointerLeave={release}
      onFocus={hold}
      onBlur={release}
    >
      {message}
      {action !== undefined && (
        <button
          type="button"
          className="toast-action"
          onClick={() => {
            dismiss();
            action.run();
          }}
        >
          {action.label}
        </button>
      )}
    </div>
  );
}
