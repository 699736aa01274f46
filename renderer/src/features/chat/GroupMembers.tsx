import { useId, useRef, useState } from 'react';
import { maxGroupMembers, type MessageParty } from '#common/contract/messages.js';
import { useLanguage, useT, type Translate } from '../../i18n/i18n.js';
import { Avatar } from '../../ui/Avatar.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { humanError } from '../../ui/human-error.js';
import { describeFailure } from '../../api/failure.js';
import { addGroupMembers, removeGroupMember, type Refusal } from './chat-groups.js';
import { nameOf } from './chat-notify.js';
import type { LocalConversation } from './chat-types.js';
import { ConfirmStrip } from './ConfirmStrip.js';
import { ContactChecklist } from './ContactChecklist.js';

/** Me first, then the others by name in the user's language. */
function ordered(members: readonly MessageParty[], me: string, language: string): MessageParty[] {
  const others = members.filter((member) => member.userId !== me).sort((a, b) => nameOf(a).localeCompare(nameOf(b), language));
  const self = members.filter((member) => member.userId === me);
  return [...self, ...others];
}

/** Why someone was not added, with their name: the server's "not a contact" also covers a block either way. */
function refusalText(t: Translate, refusal: Refusal, name: string): string {
  const { code } = describeFailure(refusal.error);
  if (code === 'not_a_contact') return t('chat.group.addRefused', { name });
  if (code === 'group_add_refused') return t('chat.group.addNotAllowed', { name });
  return t('chat.group.addFailed', { name, reason: humanError(t, refusal.error).text });
}

export function GroupMembers({ conversation, me }: { conversation: LocalConversation; me: string }) {
  const t = useT();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const triggers = useRef(new Map<string, HTMLButtonElement>());
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const language = useLanguage((state) => state.language);
  const members = ordered(conversation.members, me, language);

  async function remove(member: MessageParty): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await removeGroupMember(conversation.id, member.userId);
      setConfirming(undefined);
      // Their row is gone: focus goes to the list's heading rather than falling out of the dialog.
      heading.current?.focus();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="group-members" aria-labelledby={headingId}>
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {t('chat.members', { count: conversation.members.length })}
      </h3>
      <ul className="group-member-list">
        {members.map((member) => {
          const name = nameOf(member);
          const mine = member.userId === me;
          return (
            <li key={member.userId} className="group-member">
              <div className="group-member-row">
                <Avatar name={name} seed={member.userId} />
                <span className="group-member-name">{mine ? t('chat.group.you') : name}</span>
                {!mine && (
                  <button
                    ref={(element) => {
                      if (element === null) triggers.current.delete(member.userId);
                      else triggers.current.set(member.userId, element);
                    }}
                    type="button"
                    className="danger"
                    aria-label={t('chat.group.removeLabel', { name })}
                    aria-expanded={confirming === member.userId}
                    onClick={() => setConfirming(confirming === member.userId ? undefined : member.userId)}
                  >
                    {t('chat.group.remove')}
                  </button>
                )}
              </div>
              {confirming === member.userId && (
                <ConfirmStrip
                  label={t('chat.group.removeLabel', { name })}
                  question={t('chat.group.removeConfirm', { name })}
                  confirmText={t('chat.group.removeYes')}
                  busy={busy}
                  onConfirm={() => void remove(member)}
                  onCancel={() => {
                    setConfirming(undefined);
                    triggers.current.get(member.userId)?.focus();
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
      <ErrorNotice error={error} />
      <AddMembers conversation={conversation} />
    </section>
  );
}

function AddMembers({ conversation }: { conversation: LocalConversation }) {
  const t = useT();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [refusals, setRefusals] = useState<{ refusal: Refusal; name: string }[]>([]);
  const [added, setAdded] = useState(0);
  const memberIds = new Set(conversation.members.map((member) => member.userId));
  const room = maxGroupMembers - conversation.members.length;
  const tooMany = chosen.size > room;

  async function add(): Promise<void> {
    setBusy(true);
    setRefusals([]);
    setAdded(0);
    const wanted = [...chosen];
    // Names are taken now: a refused person is not a member, so no row would name them later.
    const names = new Map(wanted.map((userId) => [userId, nameOf({ userId, phone: '' })]));
    const refused = await addGroupMembers(conversation.id, wanted);
    setRefusals(refused.map((refusal) => ({ refusal, name: names.get(refusal.userId) ?? '' })));
    setAdded(wanted.length - refused.length);
    setChosen(new Set());
    if (refused.length === 0) setOpen(false);
    setBusy(false);
  }

  return (
    <div className="group-add">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          setOpen(!open);
          setAdded(0);
          setRefusals([]);
        }}
      >
        {t('chat.group.addMembers')}
      </button>
      <div id={panelId} hidden={!open} className="group-add-panel">
        {open && (
          <>
            <ContactChecklist
              legend={t('chat.group.addLegend', { count: chosen.size })}
              emptyText={t('chat.group.nobodyToAdd')}
              chosen={chosen}
              onChange={setChosen}
              excluded={memberIds}
            />
            {tooMany && (
              <p className="notice notice-error" role="alert">
                {t('chat.group.full', { count: maxGroupMembers })}
              </p>
            )}
            <div className="actions">
              <button type="button" className="primary" disabled={busy || chosen.size === 0 || tooMany} onClick={() => void add()}>
                {t('chat.group.addChosen', { count: chosen.size })}
              </button>
            </div>
          </>
        )}
      </div>
      {refusals.map(({ refusal, name }) => (
        <p key={refusal.userId} className="notice notice-error" role="alert" data-error-code={describeFailure(refusal.error).code}>
          {refusalText(t, refusal, name)}
        </p>
      ))}
      {added > 0 && <StatusNotice text={t('chat.group.added', { count: added })} />}
    </div>
  );
}
