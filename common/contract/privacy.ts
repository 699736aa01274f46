import { z } from 'zod';

/** Who sees my activity, which apps are shared, and whether my number finds me. */
export const activityVisibility = ['contacts', 'allowlist', 'nobody'] as const;
export type ActivityVisibility = (typeof activityVisibility)[number];

export const pluginIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a plugin id such as "slack"');

export const privacySettings = z.object({
  activityVisibleTo: z.enum(activityVisibility),
  sharedApps: z.union([z.literal('all'), z.array(pluginIdSchema).max(200)]),
  /** Whether people who have my number find me in discovery. */
  discoverable: z.boolean(),
});
export type PrivacySettings = z.infer<typeof privacySettings>;

export const defaultPrivacySettings: PrivacySettings = { activityVisibleTo: 'contacts', sharedApps: 'all', discoverable: true };

export const updatePrivacyRequest = privacySettings.partial();

export const listedUser = z.object({ userId: z.string(), since: z.string() });
