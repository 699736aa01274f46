import { describe, expect, it } from 'vitest';
import { generateBookKey } from '#common/address-book/sealing.js';
import { openPerson, personFromDetails, sealPerson, type NamedGroup as LocalGroup, type SealablePerson } from '#renderer/sync/sealed-people.js';

type LocalPerson = SealablePerson & { userId?: string; mutual?: boolean; notify?: boolean };

const family: LocalGroup = { id: 'g-family', name: 'Family', createdAt: '2026-01-01T00:00:00.000Z' };
const work: LocalGroup = { id: 'g-work', name: 'Work', createdAt: '2026-01-01T00:00:00.000Z' };

const lina: LocalPerson = {
  ref: 'r1-lina',
  name: '李娜',
  phones: [
    { e164: '+8613800138000', raw: '138 0013 8000', type: 'mobile' },
    { e164: '+8613900139000', raw: '139 0013 9000' },
  ],
  emails: ['lina@example.com'],
  org: 'Acme',
  notes: 'birthday in May',
  userId: 'user-lina',
  mutual: true,
  groupIds: [family.id, work.id],
  isPrivate: true,
  notify: true,
};

describe('a person across the sealed boundary', () => {
  it('carries the details and group names, and keeps what is private to the receiving device', async () => {
    const bookKey = await generateBookKey();
    const sealed = (await sealPerson(bookKey, lina, [family, work])) ?? '';
    // Only details travel: no user id, no private flag, no group ids.
    const details = await openPerson(bookKey, lina.ref, sealed);
    expect(details).toEqual({ name: '李娜', phones: lina.phones, emails: ['lina@example.com'], org: 'Acme', notes: 'birthday in May', groups: ['Family', 'Work'] });
    if (details === undefined) return;

    // A device that knows the group "Work" under another id, and had this person already (private there too).
    const theirWork: LocalGroup = { ...work, id: 'g-work-2' };
    const existing: LocalPerson = { ref: lina.ref, name: '', phones: [lina.phones[0] ?? { e164: '', raw: '' }], userId: 'user-lina', groupIds: [], isPrivate: true };
    const { person, newGroups } = personFromDetails(lina.ref, details, existing, [theirWork]);
    expect(newGroups.map((group) => group.name)).toEqual(['Family']);
    expect(person).toMatchObject({ ref: lina.ref, name: '李娜', phones: lina.phones, org: 'Acme', notes: 'birthday in May', userId: 'user-lina', isPrivate: true });
    expect(person.groupIds).toEqual([newGroups[0]?.id, 'g-work-2']);

    // A person first seen through the book (a non-user) is not private.
    expect(personFromDetails(lina.ref, details, undefined, [family, work]).person).toMatchObject({ isPrivate: false, groupIds: [family.id, work.id] });
  });

  it('shows nothing rather than a wrong person when a blob does not open here', async () => {
    const sealed = (await sealPerson(await generateBookKey(), lina, [])) ?? '';
    expect(await openPerson(await generateBookKey(), lina.ref, sealed)).toBeUndefined();
    expect(await openPerson(await generateBookKey(), 'r1-other', sealed)).toBeUndefined();
  });
});
