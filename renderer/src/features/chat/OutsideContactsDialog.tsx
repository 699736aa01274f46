import { useEffect, useState, type FormEvent } from 'react';
import type { OutsideContact } from '#common/contract/interworking.js';
import { useT } from '../../i18n/i18n.js';
import { Dialog } from '../../ui/Dialog.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useChat } from './chat-store.js';
import { bareAddress, outsideAddressOf } from './outside-contacts-logic.js';
import { useOutsideContacts } from './outside-contacts-store.js';

/**
 * XMPP contacts (M28): the outside addresses allowed to reach me through the server's bridge, with their
 * presence; add one, remove one, or write to one. Without a bridge on this server it says so in words.
 */
export function OutsideContactsDialog({ onClose }: { onClose(): void }) {
  const t = useT();
  const { contacts, status, error } = useOutsideContacts();
  const [input, setInput] = useState('');
  const [inputProblem, setInputProblem] = useState<'empty' | 'format' | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void useOutsideContacts.getState().load();
  }, []);

  async function add(event: FormEvent): Promise<void> {
    event.preventDefault();
    const parsed = outsideAddressOf(input);
    setFailure(undefined);
    if (!parsed.ok) {
      setInputProblem(parsed.reason);
      return;
    }
    setInputProblem(undefined);
    setBusy(true);
    try {
      await useOutsideContacts.getState().allow(parsed.address);
      setInput('');
    } catch (problem) {
      setFailure(problem);
    } finally {
      setBusy(false);
    }
  }

  async function remove(contact: OutsideContact): Promise<void> {
    setFailure(undefined);
    try {
      await useOutsideContacts.getState().remove(contact.address);
    } catch (problem) {
      setFailure(problem);
    }
  }

  async function message(contact: OutsideContact): Promise<void> {
    onClose();
    await useChat.getState().openOutside(contact.address);
  }

  return (
    <Dialog title={t('chat.xmpp.heading')} onClose={onClose}>
      {status === 'unavailable' ? (
        <p className="notice" role="status" data-testid="xmpp-unavailable">
          {t('chat.xmpp.noBridge')}
        </p>
      ) : (
        <div className="xmpp-contacts">
          <p className="muted">{t('chat.xmpp.intro')}</p>
          <form className="xmpp-add" onSubmit={(event) => void add(event)} noValidate>
            <label>
              {t('chat.xmpp.address')}
              <input
                value={input}
                inputMode="email"
                autoComplete="off"
                spellCheck={false}
                placeholder="alice@example.org"
                aria-invalid={inputProblem !== undefined}
                aria-describedby={inputProblem === undefined ? undefined : 'xmpp-input-problem'}
                onChange={(event) => {
                  setInput(event.target.value);
                  setInputProblem(undefined);
                }}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {t('chat.xmpp.add')}
            </button>
            {inputProblem !== undefined && (
              <p id="xmpp-input-problem" className="notice notice-error" role="alert">
                {t(inputProblem === 'empty' ? 'chat.xmpp.addressEmpty' : 'chat.xmpp.addressFormat')}
              </p>
            )}
          </form>
          <ErrorNotice error={failure ?? (status === 'failed' ? error : undefined)} />
          {status === 'loading' ? (
            <p className="muted">{t('chat.xmpp.loading')}</p>
          ) : contacts.length === 0 ? (
            <p className="muted">{t('chat.xmpp.none')}</p>
          ) : (
            <ul className="xmpp-list" aria-label={t('chat.xmpp.heading')}>
              {contacts.map((contact) => {
                const presence = contact.presence?.status ?? 'offline';
                return (
                  <li key={contact.address} className="xmpp-row" data-address={contact.address}>
                    <span className={`status-dot status-${presence}`} aria-hidden="true" />
                    <span className="xmpp-row-main">
                      <span className="xmpp-row-address">{bareAddress(contact.address)}</span>
                      <span className="muted xmpp-row-presence" data-testid="xmpp-presence">
                        {contact.presence === undefined
                          ? t('chat.xmpp.presenceUnknown')
                          : contact.presence.text === ''
                            ? t(`chat.xmpp.status.${presence}`)
                            : `${t(`chat.xmpp.status.${presence}`)} · ${contact.presence.text}`}
                      </span>
                    </span>
                    <button type="button" onClick={() => void message(contact)}>
                      {t('chat.xmpp.message')}
                    </button>
                    <button type="button" className="link" aria-label={t('chat.xmpp.removeLabel', { address: bareAddress(contact.address) })} onClick={() => void remove(contact)}>
                      {t('chat.xmpp.remove')}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}
