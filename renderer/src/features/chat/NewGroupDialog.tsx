import { useState, type FormEvent } from 'react';
import { ApiFailure } from '../../api/failure.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { Dialog } from '../../ui/Dialog.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { nameOf } from './chat-notify.js';
import { useChat } from './chat-store.js';
import { ContactChecklist } from './ContactChecklist.js';

/** A new group: a title and some of my contacts who use Switchboard (POST groups; each must be a contact). */
export function NewGroupDialog({ onClose }: { onClose(): void }) {
  const t = useT();
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [notAllowed, setNotAllowed] = useState<string | undefined>(undefined);
  const language = useLanguage((state) => state.language);

  /** People whose setting keeps me from adding them are unchecked, by name, so "Create" works next time. */
  function uncheckRefusing(failure: unknown): boolean {
    if (!(failure instanceof ApiFailure) || failure.code !== 'group_add_refused') return false;
    const refusing = Array.isArray(failure.details.userIds) ? failure.details.userIds.filter((id): id is string => typeof id === 'string') : [];
    if (refusing.length === 0) return false;
    setChosen((current) => new Set([...current].filter((userId) => !refusing.includes(userId))));
    const names = new Intl.ListFormat(language, { type: 'conjunction' }).format(refusing.map((userId) => nameOf({ userId, phone: '' })));
    setNotAllowed(t('chat.group.createNotAllowed', { count: refusing.length, names }));
    return true;
  }

  async function create(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotAllowed(undefined);
    try {
      await useChat.getState().createGroup(title.trim(), [...chosen]);
      onClose();
    } catch (failure) {
      if (!uncheckRefusing(failure)) setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('chat.newGroup')} onClose={onClose}>
      <form className="new-group-form" onSubmit={(event) => void create(event)}>
        <label>
          {t('chat.groupTitle')}
          <input value={title} maxLength={100} required onChange={(event) => setTitle(event.target.value)} />
        </label>
        <ContactChecklist legend={t('chat.groupMembers', { count: chosen.size })} emptyText={t('chat.noContactsToAdd')} chosen={chosen} onChange={setChosen} />
        {notAllowed !== undefined && (
          <p className="notice notice-error" role="alert">
            {notAllowed}
          </p>
        )}
        <ErrorNotice error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || title.trim() === '' || chosen.size === 0}>
            {t('chat.createGroup')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
