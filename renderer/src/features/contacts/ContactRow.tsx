import { memo } from 'react';
import type { PluginSummary } from '../../../../common/bridge/index.js';
import type { PresenceEvent } from '../../../../common/contract/socket-events.js';
import type { LocalPerson } from '../../db/local-db.js';
import type { Language, Translate } from '../../i18n/i18n.js';
import { formatSince } from '../../ui/format.js';
import { displayName } from './contacts-store.js';
import { rowPlugins } from './network-people.js';

export const rowHeight = 60;

interface ContactRowProps {
  person: LocalPerson;
  index: number;
  plugins: readonly PluginSummary[];
  presence: PresenceEvent | undefined;
  /** The column holding the grid's single tab stop, or -1 when it is in another row. */
  activeColumn: number;
  t: Translate;
  language: Language;
  onOpen(ref: string): void;
  onLaunch(person: LocalPerson, plugin: PluginSummary): void;
}

export function networkLabel(t: Translate, language: Language, plugin: PluginSummary, since: string | undefined): string {
  return since === undefined ? t('network.inactive', { network: plugin.name }) : t('network.active', { network: plugin.name, since: formatSince(since, language) });
}

/** One contact: the name cell, then one icon per network, lit where the contact is active now. */
export const ContactRow = memo(function ContactRow({ person, index, plugins, presence, activeColumn, t, language, onOpen, onLaunch }: ContactRowProps) {
  const name = displayName(person);
  const status = presence?.status ?? 'offline';
  const activeSince = new Map(presence?.apps.map((app) => [app.plugin, app.since]));
  const offered = rowPlugins(person, plugins);
  return (
    <div role="row" aria-rowindex={index + 1} className="contact-row" style={{ transform: `translateY(${index * rowHeight}px)` }}>
      <div role="gridcell" className="contact-main">
        <button type="button" className="person-button" tabIndex={activeColumn === 0 ? 0 : -1} data-cell={`${index}:0`} onClick={() => onOpen(person.ref)}>
          <span className={`avatar status-${person.userId === undefined ? 'none' : status}`} aria-hidden="true">
            {name.slice(0, 1).toUpperCase()}
          </span>
          <span className="person-text">
            <span className="person-name">{name}</span>
            <span className="person-sub">
              {person.userId !== undefined
                ? [t(`status.${status}`), presence?.text].filter(Boolean).join(' · ')
                : (person.networks?.length ?? 0) > 0
                  ? t('contacts.onNetworks', { networks: offered.map((plugin) => plugin.name).join(', ') })
                  : t('contacts.notOnSwitchboard')}
            </span>
          </span>
        </button>
      </div>
      {person.userId === undefined && (person.networks?.length ?? 0) === 0
        ? null
        : plugins.map((plugin) => {
            // A person found only on some networks gets an empty cell elsewhere, so icons stay in their columns.
            const position = offered.indexOf(plugin);
            if (position < 0) return <div role="gridcell" key={plugin.id} className="network-cell" />;
            const since = activeSince.get(plugin.id);
            const column = position + 1;
            return (
              <div role="gridcell" key={plugin.id} className="network-cell">
                <button
                  type="button"
                  className={since === undefined ? 'network' : 'network lit'}
                  tabIndex={activeColumn === column ? 0 : -1}
                  data-cell={`${index}:${column}`}
                  data-plugin={plugin.id}
                  aria-label={networkLabel(t, language, plugin, since)}
                  title={since === undefined ? plugin.name : t('network.activeTitle', { network: plugin.name, since: formatSince(since, language) })}
                  onClick={() => onLaunch(person, plugin)}
                >
                  <img src={plugin.iconUrl} alt="" width={22} height={22} draggable={false} />
                </button>
              </div>
            );
          })}
    </div>
  );
});
