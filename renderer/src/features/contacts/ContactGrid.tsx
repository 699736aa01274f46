import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { PluginSummary } from '#common/bridge/index.js';
import type { PresenceEvent } from '#common/contract/socket-events.js';
import { useApp } from '../../app/app-store.js';
import type { LocalPerson } from '../../db/local-db.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { ContactRow, rowHeight } from './ContactRow.js';
import { launchNetwork } from './launch.js';
import { usePresence } from './presence-store.js';
import { rowPlugins } from './network-people.js';

interface ContactGridProps {
  people: readonly LocalPerson[];
  plugins: readonly PluginSummary[];
  onOpen(ref: string): void;
}

interface Cell {
  row: number;
  column: number;
}

/**
 * While the connection is lost, when we last knew this person's state: the moment they went offline,
 * or for someone shown online, the moment our own connection was last up.
 */
function lastSeenOf(presence: PresenceEvent | undefined, lastOnlineAt: string | undefined): string | undefined {
  if (presence === undefined) return undefined;
  if (presence.status === 'offline' || lastOnlineAt === undefined) return presence.at;
  return lastOnlineAt > presence.at ? lastOnlineAt : presence.at;
}

/** Rows rendered beyond the visible ones, so fast scrolling does not show blanks. */
const overscanRows = 8;

/**
 * The contact list as an ARIA grid, virtualised: only the rows in view (plus a margin) exist in the
 * DOM, absolutely placed inside a spacer as tall as the whole list, so thousands of contacts scroll
 * smoothly. The grid is one tab stop (roving tabindex); arrow keys, Home/End and Page Up/Down move,
 * Enter/Space act on the focused cell.
 */
export function ContactGrid({ people, plugins, onOpen }: ContactGridProps) {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const presence = usePresence((state) => state.byUser);
  const lastActive = usePresence((state) => state.lastActive);
  const stale = useApp((state) => state.connection !== 'online');
  const lastOnlineAt = useApp((state) => state.lastOnlineAt);
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(600);
  const [active, setActive] = useState<Cell>({ row: 0, column: 0 });
  const focusAfterRender = useRef(false);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element === null) return;
    setViewportHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setViewportHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Each row shows only the networks its person uses (active now, published, found, lately active).
  const networksOf = useCallback(
    (person: LocalPerson | undefined) => {
      const event = person?.userId === undefined || stale ? undefined : presence[person.userId];
      const use = { activeNow: new Set(event?.apps.map((app) => app.plugin)), lastActive: person?.userId === undefined ? undefined : lastActive[person.userId], now: Date.now() };
      return rowPlugins(person, plugins, use);
    },
    [plugins, presence, lastActive, stale],
  );
  const columnsIn = useCallback((row: number) => networksOf(people[row]).length + 1, [people, networksOf]);

  // A shorter list (search, filter) must not leave the tab stop on a row that no longer exists.
  const activeRow = Math.min(active.row, Math.max(0, people.length - 1));
  const activeColumn = Math.min(active.column, columnsIn(activeRow) - 1);

  useEffect(() => {
    if (!focusAfterRender.current) return;
    focusAfterRender.current = false;
    const cell = viewport.current?.querySelector<HTMLElement>(`[data-cell="${activeRow}:${activeColumn}"]`);
    cell?.focus({ preventScroll: true });
    // The row is already in view; this only brings an icon of a scrolled network strip into sight.
    cell?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeRow, activeColumn, scrollTop]);

  function moveTo(row: number, column: number): void {
    if (people.length === 0) return;
    const nextRow = Math.max(0, Math.min(people.length - 1, row));
    const nextColumn = Math.max(0, Math.min(columnsIn(nextRow) - 1, column));
    const element = viewport.current;
    if (element !== null) {
      const top = nextRow * rowHeight;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeight - element.clientHeight;
      setScrollTop(element.scrollTop);
    }
    focusAfterRender.current = true;
    setActive({ row: nextRow, column: nextColumn });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const page = Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveTo(activeRow + 1, activeColumn),
      ArrowUp: () => moveTo(activeRow - 1, activeColumn),
      ArrowRight: () => moveTo(activeRow, activeColumn + 1),
      ArrowLeft: () => moveTo(activeRow, activeColumn - 1),
      PageDown: () => moveTo(activeRow + page, activeColumn),
      PageUp: () => moveTo(activeRow - page, activeColumn),
      Home: () => (event.ctrlKey ? moveTo(0, 0) : moveTo(activeRow, 0)),
      End: () => (event.ctrlKey ? moveTo(people.length - 1, 0) : moveTo(activeRow, columnsIn(activeRow) - 1)),
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    move();
  }

  // Clicks and Tab move the tab stop too, so arrow keys continue from where the user is.
  function onFocus(event: FocusEvent<HTMLDivElement>): void {
    const cell = event.target.getAttribute('data-cell');
    if (cell === null) return;
    const [row, column] = cell.split(':').map(Number);
    if (row !== undefined && column !== undefined && (row !== activeRow || column !== activeColumn)) setActive({ row, column });
  }

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscanRows);
  const last = Math.min(people.length - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscanRows);
  const rendered: number[] = [];
  // The row holding the tab stop stays in the DOM even when scrolled away, so Tab can always reach the grid.
  if (people.length > 0 && (activeRow < first || activeRow > last)) rendered.push(activeRow);
  for (let index = first; index <= last; index += 1) rendered.push(index);

  const onLaunch = useCallback((person: LocalPerson, plugin: PluginSummary) => void launchNetwork(person, plugin), []);

  return (
    <div
      ref={viewport}
      className={stale ? 'contact-grid stale' : 'contact-grid'}
      role="grid"
      aria-label={t('contacts.gridLabel')}
      aria-rowcount={people.length}
      aria-colcount={plugins.length + 1}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
    >
      <div className="contact-grid-spacer" style={{ height: people.length * rowHeight }}>
        {rendered.map((index) => {
          const person = people[index];
          if (person === undefined) return null;
          return (
            <ContactRow
              key={person.ref}
              person={person}
              index={index}
              networks={networksOf(person)}
              presence={person.userId === undefined ? undefined : presence[person.userId]}
              activeColumn={index === activeRow ? activeColumn : -1}
              stale={stale}
              lastSeen={lastSeenOf(person.userId === undefined ? undefined : presence[person.userId], lastOnlineAt)}
              t={t}
              language={language}
              onOpen={onOpen}
              onLaunch={onLaunch}
            />
          );
        })}
      </div>
    </div>
  );
}
