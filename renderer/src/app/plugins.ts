import { useMemo } from 'react';
import type { PluginSummary } from '#common/bridge/index.js';
import { useLanguage, type Language } from '../i18n/i18n.js';
import { useApp } from './app-store.js';

/** A plugin's name in the UI language (the manifest's `names`, e.g. 微信 for WeChat), else its own name. */
export function localisedPlugin(plugin: PluginSummary, language: Language): PluginSummary {
  const name = plugin.names?.[language];
  return name === undefined ? plugin : { ...plugin, name };
}

/** The plugins with their names in the UI language: what every screen shows. */
export function usePlugins(): PluginSummary[] {
  const plugins = useApp((state) => state.plugins);
  const language = useLanguage((state) => state.language);
  return useMemo(() => plugins.map((plugin) => localisedPlugin(plugin, language)), [plugins, language]);
}
