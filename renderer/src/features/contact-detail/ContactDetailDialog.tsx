import { usePlugins } from '../../app/plugins.js';
import { Fragment, useEffect, useState } from 'react';
import { api, useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { Dialog } from '../../ui/Dialog.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Avatar } from '../../ui/Avatar.js';
import { formatPhone, formatSince } from '../../ui/format.js';
import { displayName, useContacts } from '../contacts/contacts-store.js';
import { networkLabel } from '../contacts/ContactRow.js';
import { launchNetwork, needsHandle } from '../contacts/launch.js';
import { usePresence } from '../contacts/presence-store.js';
import { rowPlugins } from '../contacts/network-people.js';
import { PersonActions } from '../contacts/manual/ContactActions.js';
import { CallButtons } from '../calls/CallButtons.js';
import { openProfile } from '../profile/profile-store.js';
import { useChat } from '../chat/chat-store.js';

/** The handle a contact published for a network, as they wrote it (e.g. "T024BE7LD U024BE7LH" for Slack). */
function published(fields: Record<string, string> | undefined): string {
  return fields === undefined ? '' : Object.values(fields).join(' ');
}

/** One contact: their networks (one click opens each), their numbers, groups, and block or allow. */
export function ContactDetailDialog({ personRef, onClose }: { personRef: string; onClose(): void }) {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const plugins = usePlugins();
  const canNotify = useApp((state) => state.info?.capabilities.notifications === true);
  const person = useContacts((state) => state.merged.find((candidate) => candidate.ref === personRef));
  const groups = useContacts((state) => state.groups);
  const { updatePerson, setBlocked } = useContacts();
  const cachedPresence = usePresence((state) => (person?.userId === undefined ? undefined : state.byUser[person.userId]));
  // Offline, the cached state is not known to be live: nothing shows as active then.
  const live = useApp((state) => state.connection === 'online');
  const presence = live ? cachedPresence : undefined;
  const lastActive = usePresence((state) => (person?.userId === undefined ? undefined : state.lastActive[person.userId]));
  const [allowlisted, setAllowlisted] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const userId = person?.userId;

  useEffect(() => {
    if (userId === undefined) return;
    let current = true;
    api()
      .list('allowlist')
      .then((list) => current && setAllowlisted(list.some((entry) => entry.userId === userId)))
      .catch(() => current && setAllowlisted(undefined));
    return () => {
      current = false;
    };
  }, [userId]);

  if (person === undefined) return null;
  const activeSince = new Map(presence?.apps.map((app) => [app.plugin, app.since]));
  // The networks the person uses first (as in their row), then the others under their own heading.
  const used = rowPlugins(person, plugins, { activeNow: new Set(activeSince.keys()), lastActive, now: Date.now() });
  const usedIds = new Set(used.map((plugin) => plugin.id));
  const others = plugins.filter((plugin) => !usedIds.has(plugin.id));
  const networks = [...used, ...others];

  async function openChat(peer: string, phone: string): Promise<void> {
    // The server's number for this user may differ from the one in my book; the conversation corrects it.
    await useChat.getState().openDirect({ userId: peer, phone });
    useApp.getState().setScreen('chat');
    onClose();
  }

  async function changeNotify(enabled: boolean): Promise<void> {
    if (person === undefined || userId === undefined) return;
    setError(undefined);
    try {
      await bridge().notifications.setForContact({ userId, enabled });
      await updatePerson(person.ref, { notify: enabled });
    } catch (failure) {
      setError(failure);
    }
  }

  async function changeList(kind: 'blocklist' | 'allowlist', add: boolean): Promise<void> {
    if (userId === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      if (add) await api().addToList(kind, userId);
      else await api().removeFromList(kind, userId);
      if (kind === 'blocklist') await setBlocked(userId, add);
      else setAllowlisted(add);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={displayName(person)} onClose={onClose}>
      <div className="detail-head">
        <Avatar name={person.name} seed={person.ref} size="lg" status={userId === undefined ? undefined : (presence?.status ?? 'offline')} />
        <div>
          {userId === undefined ? (
            <p className="muted">{t('contacts.notOnSwitchboard')}</p>
          ) : (
            <p className="detail-status">
              {t(`status.${presence?.status ?? 'offline'}`)}
              {presence !== undefined && presence.text !== '' && <span className="muted"> · {presence.text}</span>}
            </p>
          )}
          {person.org !== undefined && <p className="muted">{person.org}</p>}
        </div>
      </div>
      {userId !== undefined && (
        <div className="actions detail-profile">
          <button type="button" onClick={() => openProfile(userId)}>
            {t('profile.view')}
          </button>
        </div>
      )}

      {userId !== undefined && person.blocked !== true && <CallButtons userId={userId} phone={person.phones[0]?.e164 ?? ''} name={displayName(person)} />}

      <h3>{t('detail.numbers')}</h3>
      <ul className="numbers">
        {person.phones.map((phone) => (
          <li key={phone.e164}>
            <a href={`tel:${phone.e164}`}>{formatPhone(phone.e164)}</a>
            {phone.type !== undefined && <span className="muted"> ({phone.type})</span>}
          </li>
        ))}
      </ul>

      <h3>{t('detail.networks')}</h3>
      {userId === undefined ? (
        <p className="muted">{t('detail.notUser')}</p>
      ) : (
        <ul className="network-list">
          {/* Switchboard's own chat first, beside the other networks. */}
          <li className="network-chat" data-plugin="switchboard">
            <span className="network-name">{t('app.title')}</span>
            <button type="button" className="primary" aria-label={t('detail.messageLabel', { name: displayName(person) })} onClick={() => void openChat(userId, person.phones[0]?.e164 ?? '')}>
              {t('detail.message')}
            </button>
          </li>
          {networks.map((plugin, position) => {
            const since = activeSince.get(plugin.id);
            const firstOther = position === used.length && used.length > 0;
            return (
              <Fragment key={plugin.id}>
              {firstOther && <li className="network-divider muted">{t('contacts.moreNetworks')}</li>}
              <li className={since === undefined ? '' : 'lit'} data-plugin={plugin.id} data-used={usedIds.has(plugin.id) ? 'true' : 'false'}>
                <img src={plugin.iconUrl} alt="" width={24} height={24} />
                <span className="network-name" aria-label={networkLabel(t, language, plugin, since)}>
                  {plugin.name}
                  {since !== undefined && <span className="muted"> · {formatSince(since, language)}</span>}
                  {published(person.identities?.[plugin.id]) !== '' && <span className="muted handle"> · {published(person.identities?.[plugin.id])}</span>}
                  {needsHandle(person, plugin) && <span className="muted"> · {t('launch.noHandle')}</span>}
                </span>
                {/* "Open" is enough beside the network's name; the accessible name says which. */}
                <button type="button" aria-label={t('detail.open', { network: plugin.name })} onClick={() => void launchNetwork(person, plugin)}>
                  {t('detail.openShort')}
                </button>
              </li>
              </Fragment>
            );
          })}
        </ul>
      )}

      <h3>{t('detail.groups')}</h3>
      {groups.length === 0 ? (
        <p className="muted">{t('detail.noGroups')}</p>
      ) : (
        <ul className="checks">
          {groups.map((group) => (
            <li key={group.id}>
              <label>
                <input
                  type="checkbox"
                  checked={person.groupIds.includes(group.id)}
                  onChange={(event) =>
                    void updatePerson(person.ref, {
                      groupIds: event.target.checked ? [...person.groupIds, group.id] : person.groupIds.filter((id) => id !== group.id),
                    })
                  }
                />{' '}
                {group.name}
              </label>
            </li>
          ))}
        </ul>
      )}
      <label className="check">
        <input type="checkbox" checked={person.isPrivate} onChange={(event) => void updatePerson(person.ref, { isPrivate: event.target.checked })} />{' '}
        {t('detail.private')}
      </label>

      {userId !== undefined && canNotify && (
        <label className="check">
          <input type="checkbox" checked={person.notify === true} onChange={(event) => void changeNotify(event.target.checked)} /> {t('detail.notify')}
        </label>
      )}

      {userId !== undefined && (
        <>
          <h3>{t('detail.privacy')}</h3>
          {person.blocked === true && <p className="muted">{t('detail.blocked')}</p>}
          {allowlisted === true && <p className="muted">{t('detail.allowed')}</p>}
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void changeList('blocklist', person.blocked !== true)}>
              {person.blocked === true ? t('detail.unblock') : t('detail.block')}
            </button>
            {allowlisted !== undefined && (
              <button type="button" disabled={busy} onClick={() => void changeList('allowlist', !allowlisted)}>
                {allowlisted ? t('detail.disallow') : t('detail.allow')}
              </button>
            )}
          </div>
          <ErrorNotice error={error} />
        </>
      )}
      <PersonActions personRef={person.ref} onDeleted={onClose} />
    </Dialog>
  );
}
