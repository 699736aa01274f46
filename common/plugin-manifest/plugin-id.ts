import { z } from 'zod';

/**
 * The one rule for a plugin id, wherever one arrives: a manifest, a URL path, a privacy setting, a bridge
 * call, a keychain item name. A lowercase slug ("slack", "my-network"): letters first, digits allowed,
 * single dashes between parts. Ids become folder names and keychain item names, so the rule stays narrow.
 */
export const PLUGIN_ID_REGEX = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const PLUGIN_ID_MAX_LENGTH = 40;

export const pluginIdSchema = z
  .string()
  .max(PLUGIN_ID_MAX_LENGTH)
  .regex(PLUGIN_ID_REGEX, { error: 'must be a plugin id: a lowercase slug such as "my-network" (a-z, 0-9, single dashes)' });
export type PluginId = z.infer<typeof pluginIdSchema>;

export function isPluginId(value: unknown): boolean {
  return pluginIdSchema.safeParse(value).success;
}
