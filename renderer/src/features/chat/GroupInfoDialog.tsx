import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useApp } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { Dialog } from '../../ui/Dialog.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { leaveGroup, renameGroup } from './chat-groups.js';
import { refreshConversations } from './chat-incoming.js';
import { conversationTitle } from './chat-notify.js';
import { useChat } from './chat-store.js';
import type { LocalConversation } from './chat-types.js';
import { ConfirmStrip } from './ConfirmStrip.js';
import { GroupMembers } from './GroupMembers.js';

/**
 * A group's details from its conversation header: its name (edited in place), its members (added and
 * removed) and leaving it. A group I am no longer in shows its name and why nothing can be changed.
 */
export function GroupInfoDialog({ conversationId, onClose }: { conversationId: string; onClose(): void }) {
  const t = useT();
  const me = useApp((state) => state.session?.userId ?? '');
  const conversation = useChat((state) => state.conversations.find((candidate) => candidate.id === conversationId));

  // Members change on other devices and no event says so: the list is asked for again on opening.
  useEffect(() => {
    void refreshConversations();
  }, []);

  if (conversation === undefined) return null;
  const left = conversation.left !== undefined;
  return (
    <Dialog title={t('chat.group.info')} onClose={onClose}>
      <div className="group-info">
        {left ? (
          // Who is in it now is no longer mine to know: the last list the device saw would mislead.
          <>
            <p className="group-info-name">{conversationTitle(conversation, me)}</p>
            <p className="notice">{t(conversation.left === 'left' ? 'chat.group.youLeft' : 'chat.group.youWereRemoved')}</p>
          </>
        ) : (
          <>
            <GroupNameForm conversation={conversation} />
            <GroupMembers conversation={conversation} me={me} />
            <LeaveGroup conversation={conversation} title={conversationTitle(conversation, me)} onLeft={onClose} />
          </>
        )}
      </div>
    </Dialog>
  );
}

function GroupNameForm({ conversation }: { conversation: LocalConversation }) {
  const t = useT();
  const inputId = useId();
  const problemId = useId();
  const current = conversation.title ?? '';
  const [name, setName] = useState(current);
  const [empty, setEmpty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    const wanted = name.trim();
    if (wanted === '') {
      setEmpty(true);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await renameGroup(conversation.id, wanted);
      setName(wanted);
      setSaved(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    // The empty name is refused here in words, not by the browser's own bubble.
    <form className="group-name-form" noValidate onSubmit={(event) => void save(event)}>
      <label htmlFor={inputId}>{t('chat.groupTitle')}</label>
      <div className="group-name-row">
        <input
          id={inputId}
          value={name}
          maxLength={100}
          aria-invalid={empty}
          aria-describedby={empty ? problemId : undefined}
          onChange={(event) => {
            setName(event.target.value);
            setEmpty(false);
            setSaved(false);
          }}
        />
        <button type="submit" className="primary" disabled={busy || name.trim() === current}>
          {t('common.save')}
        </button>
      </div>
      {empty && (
        <p id={problemId} className="notice notice-error" role="alert">
          {t('chat.group.nameEmpty')}
        </p>
      )}
      <ErrorNotice error={error} />
      {saved && <StatusNotice text={t('chat.group.renamed')} />}
    </form>
  );
}

function LeaveGroup({ conversation, title, onLeft }: { conversation: LocalConversation; title: string; onLeft(): void }) {
  const t = useT();
  const trigger = useRef<HTMLButtonElement>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function leave(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await leaveGroup(conversation.id);
      onLeft();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <div className="group-leave">
      <button ref={trigger} type="button" className="danger" aria-expanded={confirming} onClick={() => setConfirming(!confirming)}>
        {t('chat.group.leave')}
      </button>
      {confirming && (
        <ConfirmStrip
          label={t('chat.group.leave')}
          question={t('chat.group.leaveConfirm', { title })}
          confirmText={t('chat.group.leaveYes')}
          busy={busy}
          onConfirm={() => void leave()}
          onCancel={() => {
            setConfirming(false);
            trigger.current?.focus();
          }}
        />
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
