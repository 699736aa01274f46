import { useEffect, useRef, useState } from 'react';
import { useT } from '../../i18n/i18n.js';
import { useContacts, type ListFilter } from './contacts-store.js';

function sameFilter(a: ListFilter, b: ListFilter): boolean {
  return typeof a === 'object' && typeof b === 'object' ? a.groupId === b.groupId : a === b;
}

/** M12: groups live on this device only (IndexedDB); the server never hears of them. */
export function GroupsPanel({ open, onClose }: { open: boolean; onClose(): void }) {
  const t = useT();
  const { groups, filter, setFilter, createGroup, deleteGroup } = useContacts();
  const [name, setName] = useState('');
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>('.group-button')?.focus();
  }, [open]);
  const options: { filter: ListFilter; label: string; groupId?: string }[] = [
    { filter: 'all', label: t('contacts.allContacts') },
    { filter: 'users', label: t('contacts.onSwitchboard') },
    ...groups.map((group) => ({ filter: { groupId: group.id }, label: group.name, groupId: group.id })),
  ];
  return (
    // On a phone this is a drawer (class "open"); on a wide screen the sidebar, always shown.
    <nav ref={panel} className={open ? 'groups open' : 'groups'} aria-labelledby="groups-heading" onKeyDown={(event) => event.key === 'Escape' && onClose()}>
      <h2 id="groups-heading" className="section-title">
        {t('contacts.groups')}
      </h2>
      <ul>
        {options.map((option) => (
          <li key={option.groupId ?? String(option.filter)}>
            <button
              type="button"
              className="group-button"
              aria-pressed={sameFilter(filter, option.filter)}
              onClick={() => {
                setFilter(option.filter);
                onClose();
              }}
            >
              {option.label}
            </button>
            {option.groupId !== undefined && (
              <button
                type="button"
                className="icon-button"
                aria-label={t('contacts.deleteGroup', { name: option.label })}
                onClick={() => void deleteGroup(option.groupId ?? '')}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="new-group"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() === '') return;
          void createGroup(name);
          setName('');
        }}
      >
        <input aria-label={t('contacts.newGroup')} placeholder={t('contacts.newGroup')} value={name} maxLength={60} onChange={(event) => setName(event.target.value)} />
        <button type="submit">{t('contacts.addGroup')}</button>
      </form>
    </nav>
  );
}
