import { useState } from 'react';
import { api } from '#renderer/app/app-store.js';
import { useLanguage, useT } from '#renderer/i18n/i18n.js';
import { ErrorNotice } from '#renderer/ui/ErrorNotice.js';
import { displayName, useContacts } from '../contacts-store.js';
import { ManualContactDialog } from './ManualContactDialog.js';
import { clearChangeToast, showChangeFailure, showChangeToast } from './change-toast.js';
import { deleteContact, mergeDuplicates } from './manual-contacts.js';

/** The Contacts screen's "Add contact" and "Merge duplicates". */
export function ContactsToolbar() {
  const t = useT();
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function merge(): Promise<void> {
    setError(undefined);
    clearChangeToast();
    try {
      await mergeDuplicates((merged, previous) => showChangeToast(t, t('manual.merged', { count: merged }), merged > 0 ? previous : undefined));
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <>
      <button type="button" className="primary" onClick={() => setAdding(true)}>
        {t('manual.add')}
      </button>
      <button type="button" onClick={() => void merge()}>
        {t('manual.mergeDuplicates')}
      </button>
      <ErrorNotice error={error} />
      {adding && <ManualContactDialog onClose={() => setAdding(false)} />}
    </>
  );
}

/** Edit and Delete for a person of the address book (not for people known only from a network). */
export function PersonActions({ personRef, onDeleted }: { personRef: string; onDeleted(): void }) {
  const t = useT();
  const person = useContacts((state) => state.people.find((candidate) => candidate.ref === personRef));
  const language = useLanguage((state) => state.language);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [invited, setInvited] = useState(false);
  if (person === undefined) return null;

  async function invite(phone: string): Promise<void> {
    setError(undefined);
    try {
      await api().invite(phone, language);
      setInvited(true);
    } catch (failure) {
      setError(failure);
    }
  }

  async function remove(): Promise<void> {
    if (person === undefined) return;
    setError(undefined);
    clearChangeToast();
    const name = displayName(person);
    let shown = false;
    try {
      await deleteContact(person.ref, (previous) => {
        shown = true;
        onDeleted();
        showChangeToast(t, t('manual.deleted', { name }), previous);
      });
    } catch (failure) {
      // Once the contact is gone from the screen, so is this panel: the toast says it.
      if (shown) showChangeFailure(t, failure);
      else setError(failure);
    }
  }

  return (
    <div className="actions">
      <button type="button" onClick={() => setEditing(true)}>
        {t('manual.edit')}
      </button>
      {person.userId === undefined && person.phones[0] !== undefined && (
        <button type="button" disabled={invited} onClick={() => void invite(person.phones[0]?.e164 ?? '')}>
          {invited ? t('manual.invited') : t('manual.invite')}
        </button>
      )}
      <button type="button" className="danger" onClick={() => void remove()}>
        {t('manual.delete')}
      </button>
      <ErrorNotice error={error} />
      {editing && <ManualContactDialog person={person} onClose={() => setEditing(false)} />}
    </div>
  );
}
