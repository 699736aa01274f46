import type { PluginSummary } from '../../../../common/bridge/index.js';
import { bridge } from '../../bridge/bridge.js';
import type { LocalPerson } from '../../db/local-db.js';
import { translate } from '../../i18n/i18n.js';
import { useToast } from '../../ui/toast-store.js';

/**
 * M20: one click opens the network at a chat with this person. The host decides how (a native deep
 * link on the desktop, the https link in a browser); this needs no server, so it works offline.
 */
export async function launchNetwork(person: LocalPerson, plugin: PluginSummary): Promise<void> {
  const phone = person.phones[0]?.e164;
  // A bound account found the person on this network: its handle or id opens the right chat.
  const found = person.networks?.find((network) => network.pluginId === plugin.id)?.identity ?? {};
  try {
    const result = await bridge().launcher.open({ pluginId: plugin.id, identity: { ...found, ...(phone === undefined ? {} : { phone }) } });
    if (result.ok) {
      useToast.getState().show(translate(result.kind === 'web' ? 'detail.openedWeb' : 'detail.opened', { network: plugin.name }));
    } else {
      useToast.getState().show(translate('common.errorWithCode', { message: `${plugin.name}: ${result.message}`, code: result.code }), 'error');
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    useToast.getState().show(translate('common.errorWithCode', { message, code: 'launch_failed' }), 'error');
  }
}
