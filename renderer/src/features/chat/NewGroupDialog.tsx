import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n/i18n.js';
import { Dialog } from '../../ui/Dialog.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useChat } from './chat-store.js';
import { ContactChecklist } from './ContactChecklist.js';

/** A new group: a title and some of my contacts who use Switchboard (POST groups; each must be a contact). */
export function NewGroupDialog({ onClose }: { onClose(): void }) {
  const t = useT();
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function create(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await useChat.getState().createGroup(title.trim(), [...chosen]);
      onClose();
    } catch (failure) {
      setError(failure);
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
