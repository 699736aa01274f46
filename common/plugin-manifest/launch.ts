import { type ContactIdentity, identityValue } from './identity.js';
import type { LaunchKind, LinkTemplate, PluginManifest } from './schema.js';
import { checkLinkTarget, type LinkProblemCode, renderTemplate } from './template.js';

export type LaunchLinkResult =
  | { ok: true; url: string; kind: LaunchKind; alternative: number }
  | { ok: false; code: 'no_template'; message: string }
  | { ok: false; code: 'missing_identity'; message: string; missing: string[] }
  | { ok: false; code: 'bad_template' | 'unknown_placeholder' | LinkProblemCode; message: string };

/**
 * Which templates to consider: those that reach the person (they use a field of the contact), those
 * that only open the app or site (no needs), or both in manifest order.
 */
export type LinkReach = 'contact' | 'app' | 'any';

export function reachesContact(template: Pick<LinkTemplate, 'needs'>): boolean {
  return template.needs.length > 0;
}

/**
 * Renders the first template of `kind` whose needs the contact meets. The rendered URL is checked
 * again (scheme, https host) so a manifest that skipped validation still cannot open a bad link.
 */
export function renderLaunchLink(
  manifest: Pick<PluginManifest, 'launch' | 'allowedHosts'>,
  kind: LaunchKind,
  identity: ContactIdentity,
  reach: LinkReach = 'any',
): LaunchLinkResult {
  const templates = (manifest.launch[kind] ?? [])
    .map((template, alternative) => ({ template, alternative }))
    .filter(({ template }) => reach === 'any' || reachesContact(template) === (reach === 'contact'));
  if (templates.length === 0) return { ok: false, code: 'no_template', message: `the plugin has no "${kind}" link` };
  let firstMissing: string[] | undefined;
  for (const { template, alternative } of templates) {
    const rendered = renderTemplate(template.url, identity);
    if (!rendered.ok) {
      if (rendered.code !== 'missing_identity') return rendered;
      firstMissing ??= rendered.missing;
      continue;
    }
    const problem = checkLinkTarget(rendered.url, manifest.allowedHosts, { requireHttps: kind === 'web' });
    if (problem !== undefined) return { ok: false, ...problem };
    return { ok: true, url: rendered.url, kind, alternative };
  }
  const missing = firstMissing ?? [];
  return { ok: false, code: 'missing_identity', message: `the contact has no ${missing.join(', ')}`, missing };
}

/** Whether a contact has every field a template declares it needs, without rendering it. */
export function templateUsable(template: { needs: readonly string[] }, identity: ContactIdentity): boolean {
  return template.needs.every((field) => identityValue(identity, field) !== undefined);
}

/** What a network without a chat link puts on the clipboard for this contact, if the contact has it. */
export type CopyPlan =
  | { kind: 'none' }
  | { kind: 'missing'; field: string }
  | { kind: 'copy'; field: string; value: string };

export function planCopy(manifest: Pick<PluginManifest, 'launch'>, identity: ContactIdentity): CopyPlan {
  const copy = manifest.launch.copy;
  if (copy === undefined) return { kind: 'none' };
  const value = identityValue(identity, copy.field);
  return value === undefined ? { kind: 'missing', field: copy.field } : { kind: 'copy', field: copy.field, value: value.trim() };
}
