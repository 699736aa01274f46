import type { PluginSummary } from '#common/bridge/index.js';
import { bridge } from '../../bridge/bridge.js';
import type { LocalPerson } from '../../db/local-db.js';
import { format, useLanguage } from '../../i18n/i18n.js';
import { useToast } from '../../ui/toast-store.js';
import { displayName } from './contacts-store.js';
import { launchMessage } from './launch-message.js';

/**
 * What a bound account of mine found out about the person on this network (M11): its handle, id or
 * e-mail, plus `account` (`@user@server`) for federated networks whose templates ask for it.
 */
function foundOnNetwork(person: LocalPerson, pluginId: string): Record<string, string> {
  const found = person.networks?.find((network) => network.pluginId === pluginId)?.identity;
  return found === undefined ? {} : fieldsFromFound(found);
}

/** What a bound account reported, as template fields: its values, plus `account` for federated networks. */
export function fieldsFromFound(found: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(found)) if (typeof value === 'string' && value !== '') fields[name] = value;
  if (found.handle !== undefined && found.server !== undefined) fields.account = `@${found.handle.replace(/^@/, '')}@${found.server}`;
  return fields;
}

/**
 * The fields a click on this network can use: the contact's phone, what my bound account found, and
 * what they published for it (which wins: it is their own word).
 */
export function launchIdentity(person: LocalPerson, pluginId: string): Record<string, string> {
  const phone = person.phones[0]?.e164;
  return { ...foundOnNetwork(person, pluginId), ...(person.identities?.[pluginId] ?? {}), ...(phone === undefined ? {} : { phone }) };
}

/**
 * Whether a click on this network can only say "ask them": the network needs a handle (not just the
 * phone number) and the contact has published none for it. Shown on the icon before anyone clicks.
 */
export function needsHandle(person: LocalPerson, plugin: PluginSummary): boolean {
  if (plugin.reachesByPhone || plugin.identityFields.length === 0) return false;
  const known = { ...foundOnNetwork(person, plugin.id), ...(person.identities?.[plugin.id] ?? {}) };
  return !plugin.identityFields.some((field) => known[field.name] !== undefined);
}

/**
 * M20: one click opens the network at a chat with this person. The host decides how (a native deep
 * link on the desktop, the https link in a browser, the app with the person's handle on the
 * clipboard where the network has no chat link); this needs no server, so it works offline. The
 * result becomes one human sentence; the code goes to the console for whoever debugs it.
 */
export async function launchNetwork(person: LocalPerson, plugin: PluginSummary): Promise<void> {
  const language = useLanguage.getState().language;
  const t = (key: Parameters<typeof format>[1], params?: Parameters<typeof format>[2]) => format(language, key, params);
  const name = displayName(person);
  try {
    const result = await bridge().launcher.open({ pluginId: plugin.id, identity: launchIdentity(person, plugin.id) });
    if (!result.ok) console.info(`launch ${plugin.id}: ${result.code}: ${result.message}`);
    const message = launchMessage(t, language, result, plugin, name);
    useToast.getState().show(message.text, message.tone);
  } catch (error) {
    console.warn(`launch ${plugin.id}:`, error);
    const message = launchMessage(t, language, { ok: false, code: 'launch_failed', message: '' }, plugin, name);
    useToast.getState().show(message.text, message.tone);
  }
}
