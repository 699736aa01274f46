import { memo } from 'react';
import type { PluginSummary } from '#common/bridge/index.js';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import type { LocalPerson } from '../../db/local-db.js';
import type { Language, Translate } from '../../i18n/i18n.js';
import { Avatar } from '../../ui/Avatar.js';
import { formatSince } from '../../ui/format.js';
import { displayName } from './contacts-store.js';
import { needsHandle } from './launch.js';

/** Matches --row-height in tokens.css: the virtual list places rows by this number. */
export const rowHeight = 64;

interface ContactRowProps {
  person: LocalPerson;
  index: number;
  /** The networks this person uses, lit ones first (network-people.ts rowPlugins). */
  networks: readonly PluginSummary[];
  presence: PresenceEvent | undefined;
  /** The column holding the grid's single tab stop, or -1 when it is in another row. */
  activeColumn: number;
  /** The connection is lost: what is cached is no longer known to be live, so it shows as last seen. */
  stale: boolean;
  /** When we last knew this person's state (ISO), shown as "last seen" while stale. */
  lastSeen: string | undefined;
  t: Translate;
  language: Language;
  onOpen(ref: string): void;
  onLaunch(person: LocalPerson, plugin: PluginSummary): void;
}

export function networkLabel(t: Translate, language: Language, plugin: PluginSummary, since: string | undefined): string {
  return since === undefined ? t('network.inactive', { network: plugin.name }) : t('network.active', { network: plugin.name, since: formatSince(since, language) });
}

/** One contact: the name cell, then one icon per network, lit where the contact is active now. */
export const ContactRow = memo(function ContactRow({ person, index, networks, presence, activeColumn, stale, lastSeen, t, language, onOpen, onLaunch }: ContactRowProps) {
  const name = displayName(person);
  const status = stale ? 'offline' : (presence?.status ?? 'offline');
  const activeSince = new Map(stale ? [] : presence?.apps.map((app) => [app.plugin, app.since]));
  // Lit first (rowPlugins), so on a narrow screen the lit icons are the visible ones.
  const ordered = networks;
  const foundOnNetworks = person.userId === undefined && (person.networks?.length ?? 0) > 0;
  const subline =
    person.userId === undefined
      ? foundOnNetworks
        ? t('contacts.onNetworks', { networks: ordered.map((plugin) => plugin.name).join(', ') })
        : t('contacts.notOnSwitchboard')
      : stale
        ? lastSeen === undefined
          ? t('contacts.lastSeenUnknown')
          : t('contacts.lastSeen', { time: formatSince(lastSeen, language) })
        : [t(`status.${status}`), presence?.text].filter(Boolean).join(' · ');
  return (
    <div role="row" aria-rowindex={index + 1} className="contact-row" style={{ transform: `translateY(${index * rowHeight}px)` }}>
      <div role="gridcell" className="contact-main">
        <button type="button" className="person-button" tabIndex={activeColumn === 0 ? 0 : -1} data-cell={`${index}:0`} onClick={() => onOpen(person.ref)}>
          <Avatar name={person.name} seed={person.ref} status={person.userId === undefined ? undefined : status} />
          <span className="person-text">
            <span className="person-name">{name}</span>
            <span className="person-sub">{subline}</span>
          </span>
        </button>
      </div>
      {ordered.length > 0 && (
        <div className="network-strip" role="none">
          {ordered.map((plugin, pluginIndex) => {
          const since = activeSince.get(plugin.id);
          const column = pluginIndex + 1;
          return (
            <div role="gridcell" key={plugin.id} className="network-cell">
              <button
                type="button"
                className={since === undefined ? 'network' : 'network lit'}
                tabIndex={activeColumn === column ? 0 : -1}
                data-cell={`${index}:${column}`}
                data-plugin={plugin.id}
                aria-label={networkLabel(t, language, plugin, since)}
                title={[
                  since === undefined ? plugin.name : t('network.activeTitle', { network: plugin.name, since: formatSince(since, language) }),
                  ...(needsHandle(person, plugin) ? [t('launch.askHandle', { name, network: plugin.name })] : []),
                ].join(' · ')}
                onClick={() => onLaunch(person, plugin)}
              >
                <img src={plugin.iconUrl} alt="" width={22} height={22} draggable={false} />
              </button>
            </div>
          );
          })}
        </div>
      )}
    </div>
  );
});
