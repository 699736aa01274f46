import { displayName, useContacts } from '../contacts/contacts-store.js';

/**
 * My contacts who use Switchboard, as checkboxes, for a new group or for adding to one (people already in
 * it left out). Blocked people are not offered: the server would refuse them.
 */
export function ContactChecklist({
  legend,
  emptyText,
  chosen,
  onChange,
  excluded,
}: {
  legend: string;
  emptyText: string;
  chosen: ReadonlySet<string>;
  onChange(next: ReadonlySet<string>): void;
  excluded?: ReadonlySet<string>;
}) {
  const people = useContacts((state) => state.people);
  const seen = new Set<string>();
  // One row per person: several address-book entries may be the same user.
  const users = people.filter((person) => {
    const userId = person.userId;
    if (userId === undefined || person.blocked === true || excluded?.has(userId) === true || seen.has(userId)) return false;
    seen.add(userId);
    return true;
  });

  return (
    <fieldset className="plain-fieldset">
      <legend>{legend}</legend>
      {users.length === 0 ? (
        <p className="muted">{emptyText}</p>
      ) : (
        <ul className="checks">
          {users.map((person) => {
            const userId = person.userId ?? '';
            return (
              <li key={person.ref}>
                <label>
                  <input
                    type="checkbox"
                    checked={chosen.has(userId)}
                    onChange={(event) => {
                      const next = new Set(chosen);
                      if (event.target.checked) next.add(userId);
                      else next.delete(userId);
                      onChange(next);
                    }}
                  />{' '}
                  {displayName(person)}
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
