import type { ContactsRepository } from '../contacts/contacts.repository.js';
import type { PrivacyRepository } from './privacy.repository.js';

/**
 * The one rule for "not discoverable", applied alike to discovery (matches), contacts and presence:
 * such a user exists only for the people in their own address book. Only they match the user's number,
 * list them as a contact, and (within the activity setting) receive their presence. Anyone else learns
 * nothing, whichever numbers they upload, so bisecting uploads cannot single the number out.
 * A block hides a user from the blocked person whatever the setting.
 *
 * Returns the candidates that `viewerId` must not find or see.
 */
export async function hiddenFromViewer(
  viewerId: string,
  candidates: string[],
  deps: { privacy: Pick<PrivacyRepository, 'settingsOf' | 'blockedByAmong'>; contacts: Pick<ContactsRepository, 'whoHaveNumberOf'> },
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const [settings, blockedMe] = await Promise.all([deps.privacy.settingsOf(candidates), deps.privacy.blockedByAmong(viewerId, candidates)]);
  const hidden = new Set(blockedMe);
  const undiscoverable = candidates.filter((id) => settings.get(id)?.discoverable === false && !hidden.has(id));
  if (undiscoverable.length === 0) return hidden;
  const knowMe = new Set(await deps.contacts.whoHaveNumberOf(viewerId, undiscoverable));
  for (const id of undiscoverable) if (!knowMe.has(id)) hidden.add(id);
  return hidden;
}
