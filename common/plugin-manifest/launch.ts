import { type ContactIdentity, type IdentityField, identityValue } from './identity.js';
import type { LaunchKind, PluginManifest } from './schema.js';
import { checkLinkTarget, type LinkProblemCode, renderTemplate } from './template.js';

export type LaunchLinkResult =
  | { ok: true; url: string; kind: LaunchKind; alternative: number }
  | { ok: false; code: 'no_template'; message: string }
  | { ok: false; code: 'missing_identity'; message: string; missing: IdentityField[] }
  | { ok: false; code: 'bad_template' | 'unknown_placeholder' | LinkProblemCode; message: string };

/**
 * Renders the first template of `kind` whose needs the contact meets. The rendered URL is checked
 * again (scheme, https host) so a manifest that skipped validation still cannot open a bad link.
 */
export function renderLaunchLink(
  manifest: Pick<PluginManifest, 'launch' | 'allowedHosts'>,
  kind: LaunchKind,
  identity: ContactIdentity,
): LaunchLinkResult {
  const templates = manifest.launch[kind] ?? [];
  if (templates.length === 0) return { ok: false, code: 'no_template', message: `the plugin has no "${kind}" link` };
  let firstMissing: IdentityField[] | undefined;
  for (const [alternative, template] of templates.entries()) {
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
export function templateUsable(template: { needs: readonly IdentityField[] }, identity: ContactIdentity): boolean {
  return template.needs.every((field) => identityValue(identity, field) !== undefined);
}
