import { describe, expect, it } from 'vitest';
import { launchRequest, pluginAccountRequest } from '#common/bridge/contract.js';
import { boundAccount } from '#common/contract/accounts.js';
import { privacySettings } from '#common/contract/privacy.js';
import { isPluginId, manifestSchema } from '#common/plugin-manifest/index.js';

/** One rule for a plugin id, wherever one arrives: every schema that takes one agrees with isPluginId. */
describe('the plugin id rule', () => {
  const ids = ['slack', 'my-network', 'q2', 'a1-b2', '1password', 'my--network', '-slack', 'slack-', 'Slack', '../slack', 'a'.repeat(40), 'a'.repeat(41), ''];
  const takers = {
    manifest: (id: string) => manifestSchema.shape.id.safeParse(id).success,
    privacy: (id: string) => privacySettings.shape.sharedApps.safeParse([id]).success,
    'bridge launch': (id: string) => launchRequest.safeParse({ pluginId: id, identity: {} }).success,
    'bridge account call': (id: string) => pluginAccountRequest.safeParse({ pluginId: id }).success,
    'bound account': (id: string) => boundAccount.safeParse({ pluginId: id, kind: 'oauth2' }).success,
  };

  it('accepts lowercase slugs of up to 40 characters and nothing else', () => {
    expect(ids.filter((id) => isPluginId(id))).toEqual(['slack', 'my-network', 'q2', 'a1-b2', 'a'.repeat(40)]);
  });

  it.each(Object.entries(takers))('%s takes exactly the ids the rule takes', (_name, takes) => {
    for (const id of ids) expect(takes(id), id).toBe(isPluginId(id));
  });
});
