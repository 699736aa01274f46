import type { LaunchResult, PluginSummary } from '#common/bridge/index.js';
import type { Language, Translate } from '../../i18n/i18n.js';
import { localisedPlugin } from '../../app/plugins.js';

export interface LaunchMessage {
  text: string;
  tone: 'info' | 'error';
}

/** What a field is called in a sentence: the manifest's label in the UI language, or "phone number". */
function fieldLabel(t: Translate, language: Language, plugin: PluginSummary, field: string): string {
  if (field === 'phone' || field === 'phoneDigits') return t('launch.fieldPhone');
  const declared = plugin.identityFields.find((candidate) => candidate.name === field);
  return declared?.label[language] ?? declared?.label.en ?? field;
}

/**
 * The one line a click on a network leaves behind. Every outcome is a sentence about the person and
 * the network; codes stay in the result for diagnostics and never reach the screen. A contact who
 * published nothing for the network is not an error: the person is told whom to ask.
 */
export function launchMessage(t: Translate, language: Language, result: LaunchResult, plugin: PluginSummary, name: string): LaunchMessage {
  const network = localisedPlugin(plugin, language).name;
  if (result.ok) {
    if (result.copied !== undefined) {
      const field = fieldLabel(t, language, plugin, result.copied.field);
      return result.copied.done
        ? { text: t('launch.copied', { name, field, network }), tone: 'info' }
        : { text: t('launch.copyRefused', { name, field, network, value: result.copied.value }), tone: 'info' };
    }
    if (result.reaches === 'contact') {
      return { text: t(result.url.startsWith('https:') ? 'launch.openedChatWeb' : 'launch.openedChat', { name, network }), tone: 'info' };
    }
    return { text: t(result.url.startsWith('https:') ? 'detail.openedWeb' : 'detail.opened', { network }), tone: 'info' };
  }
  switch (result.code) {
    case 'missing_identity':
      return { text: t('launch.askHandle', { name, network }), tone: 'info' };
    case 'app_not_installed':
      return { text: t('launch.notInstalled', { name, network }), tone: 'error' };
    case 'popup_blocked':
      return { text: t('launch.popupBlocked'), tone: 'error' };
    case 'no_user_gesture':
      return { text: t('launch.clickAgain', { network }), tone: 'error' };
    case 'no_template':
      return { text: t('launch.noLink', { network }), tone: 'error' };
    default:
      return { text: t('launch.failed', { network }), tone: 'error' };
  }
}
