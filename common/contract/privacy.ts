import { z } from 'zod';
import { pluginIdSchema } from '../plugin-manifest/plugin-id.js';

/** Who sees my activity, which apps are shared, and whether my number finds me. */
export const activityVisibility = ['contacts', 'allowlist', 'nobody'] as const;
export type ActivityVisibility = (typeof activityVisibility)[number];

/**
 * Who may add me to a group: anyone who can find me by my number (and whom I did not block), only people
 * whose number is in my address book, or nobody (they write to me instead).
 */
export const groupAdders = ['everyone', 'contacts', 'nobody'] as const;
export type GroupAdders = (typeof groupAdders)[number];

export const privacySettings = z.object({
  activityVisibleTo: z.enum(activityVisibility),
  sharedApps: z.union([z.literal('all'), z.array(pluginIdSchema).max(200)]),
  /** Whether people who have my number find me in discovery. */
  discoverable: z.boolean(),
  groupAddsBy: z.enum(groupAdders),
});
export type PrivacySettings = z.infer<typeof privacySettings>;

export const defaultPrivacySettings: PrivacySettings = { activityVisibleTo: 'contacts', sharedApps: 'all', discoverable: true, groupAddsBy: 'everyone' };

export const updatePrivacyRequest = privacySettings.partial();

export const listedUser = z.object({ userId: z.string(), since: z.string() });
