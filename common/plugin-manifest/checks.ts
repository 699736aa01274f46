import { identityValue, isIdentityField, SAMPLE_CONTACTS } from './identity.js';
import { issue, type ManifestIssue, type PathSegment } from './issues.js';
import { caseInsensitiveNames } from './matchers.js';
import { type Capability, LAUNCH_KINDS, type LinkTemplate, OPERATING_SYSTEMS, type PluginManifest } from './schema.js';
import { satisfiesRange } from './versions.js';
import { checkLinkTarget, parseTemplate, renderTemplate } from './template.js';
import { INSTANCE_HOST } from './url.js';

/** Checks that need the whole manifest: the schema alone cannot relate one field to another. */
export function semanticIssues(manifest: PluginManifest, engineVersion: string): ManifestIssue[] {
  return [
    ...engineIssues(manifest, engineVersion),
    ...launchIssues(manifest),
    ...authIssues(manifest),
    ...capabilityIssues(manifest),
    ...matcherIssues(manifest),
  ];
}

function engineIssues(manifest: PluginManifest, engineVersion: string): ManifestIssue[] {
  if (satisfiesRange(engineVersion, manifest.engines.switchboard)) return [];
  return [
    issue(
      'engines.switchboard',
      'engine_unsatisfied',
      `this Switchboard is ${engineVersion}, outside the range "${manifest.engines.switchboard}"`,
    ),
  ];
}

export function launchIssues(manifest: PluginManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  if (LAUNCH_KINDS.every((kind) => (manifest.launch[kind] ?? []).length === 0)) {
    issues.push(issue('launch', 'launch_empty', 'needs at least one of "chat", "web" or "open"'));
  }
  for (const kind of LAUNCH_KINDS) {
    for (const [index, template] of (manifest.launch[kind] ?? []).entries()) {
      issues.push(...templateIssues(template, ['launch', kind, index], manifest.allowedHosts, kind === 'web'));
    }
  }
  return issues;
}

function templateIssues(
  template: LinkTemplate,
  path: PathSegment[],
  allowedHosts: readonly string[],
  requireHttps: boolean,
): ManifestIssue[] {
  const urlPath = [...path, 'url'];
  const parsed = parseTemplate(template.url);
  if (!parsed.ok) return [issue(urlPath, 'bad_template', parsed.message)];
  const issues: ManifestIssue[] = [];
  const used = new Set<string>();
  for (const { name } of parsed.placeholders) {
    if (isIdentityField(name)) used.add(name);
    else issues.push(issue(urlPath, 'unknown_placeholder', `{${name}} is not a contact field`));
  }
  const target = checkLinkTarget(template.url, allowedHosts, { requireHttps });
  if (target !== undefined) issues.push(issue(urlPath, target.code, target.message));
  for (const name of used) {
    if (!template.needs.some((need) => need === name)) {
      issues.push(issue([...path, 'needs'], 'undeclared_need', `the url uses {${name}}; add "${name}" to needs`));
    }
  }
  for (const need of template.needs) {
    if (!used.has(need)) {
      issues.push(issue([...path, 'needs'], 'unused_need', `"${need}" is declared but the url never uses {${need}}`));
    }
  }
  if (issues.length > 0) return issues;
  return sampleRenderIssues(template, urlPath, allowedHosts, requireHttps);
}

/** Renders against sample contacts, including hostile values, and re-checks where the link goes. */
function sampleRenderIssues(
  template: LinkTemplate,
  urlPath: PathSegment[],
  allowedHosts: readonly string[],
  requireHttps: boolean,
): ManifestIssue[] {
  for (const contact of SAMPLE_CONTACTS) {
    if (template.needs.some((need) => identityValue(contact, need) === undefined)) continue;
    const rendered = renderTemplate(template.url, contact);
    if (!rendered.ok) return [issue(urlPath, 'template_render_failed', rendered.message)];
    const problem = checkLinkTarget(rendered.url, allowedHosts, { requireHttps });
    if (problem !== undefined) {
      return [issue(urlPath, 'template_render_failed', `rendered "${rendered.url}": ${problem.message}`)];
    }
  }
  return [];
}

/** `https://{instance}/...`: the server a person signs in to on a federated network. */
const INSTANCE_URL_REGEX = /^https:\/\/\{instance\}(?=[/?#]|$)/;
const INSTANCE_STAND_IN = 'instance.invalid';

function authUrlIssues(url: string, path: PathSegment[], allowedHosts: readonly string[]): ManifestIssue[] {
  const usesInstance = INSTANCE_URL_REGEX.test(url);
  const probe = usesInstance ? url.replace(INSTANCE_HOST, INSTANCE_STAND_IN) : url;
  if (probe.includes('{') || probe.includes('}')) {
    return [issue(path, 'unknown_placeholder', 'auth addresses may use only {instance}, and only as the whole host')];
  }
  if (usesInstance && !allowedHosts.includes(INSTANCE_HOST)) {
    return [issue(path, 'host_not_allowed', 'uses {instance}; add "{instance}" to allowedHosts')];
  }
  const hosts = usesInstance ? [...allowedHosts, INSTANCE_STAND_IN] : allowedHosts;
  const problem = checkLinkTarget(probe, hosts, { requireHttps: true, allowedSchemes: ['https'] });
  return problem === undefined ? [] : [issue(path, problem.code, problem.message)];
}

function authIssues(manifest: PluginManifest): ManifestIssue[] {
  const { auth, allowedHosts } = manifest;
  switch (auth.type) {
    case 'oauth2': {
      const urls: [string, string | undefined][] = [
        ['authorizationUrl', auth.authorizationUrl],
        ['tokenUrl', auth.tokenUrl],
        ['revocationUrl', auth.revocationUrl],
      ];
      const issues = urls.flatMap(([field, url]) =>
        url === undefined ? [] : authUrlIssues(url, ['auth', field], allowedHosts),
      );
      if (auth.dynamicRegistration !== undefined) {
        issues.push(
          ...authUrlIssues(auth.dynamicRegistration.registrationUrl, ['auth', 'dynamicRegistration', 'registrationUrl'], allowedHosts),
        );
      }
      return issues;
    }
    case 'password':
      return authUrlIssues(auth.loginUrl, ['auth', 'loginUrl'], allowedHosts);
    case 'none':
      return [];
  }
}

/** What must be in the manifest for a capability claim to be true. */
function capabilityUnmet(capability: Capability, manifest: PluginManifest): string | undefined {
  switch (capability) {
    case 'presence':
      return OPERATING_SYSTEMS.some((os) => manifest.processes[os].length > 0) ? undefined : 'needs at least one process matcher';
    case 'chat-deeplink':
      return (manifest.launch.chat ?? []).length > 0 ? undefined : 'needs a launch.chat template';
    case 'web-fallback':
      return (manifest.launch.web ?? []).length > 0 ? undefined : 'needs a launch.web template';
    case 'oauth2':
      return manifest.auth.type === 'oauth2' ? undefined : 'needs auth.type "oauth2"';
    case 'web-login':
      return manifest.auth.type === 'password' ? undefined : 'needs auth.type "password"';
    case 'contacts-import':
    case 'identity-lookup':
      return manifest.main === undefined ? 'needs plugin code ("main") implementing the adapter' : undefined;
  }
}

function capabilityIssues(manifest: PluginManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const seen = new Set<Capability>();
  for (const [index, capability] of manifest.capabilities.entries()) {
    if (seen.has(capability)) {
      issues.push(issue(['capabilities', index], 'duplicate_capability', `"${capability}" is listed twice`));
      continue;
    }
    seen.add(capability);
    const unmet = capabilityUnmet(capability, manifest);
    if (unmet !== undefined) issues.push(issue(['capabilities', index], 'capability_unsupported', `"${capability}" ${unmet}`));
  }
  return issues;
}

export function matcherIssues(manifest: PluginManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const os of OPERATING_SYSTEMS) {
    const seen = new Set<string>();
    for (const [index, matcher] of manifest.processes[os].entries()) {
      const path: PathSegment[] = ['processes', os, index];
      if (/[\\/]/.test(matcher.name)) {
        issues.push(
          issue([...path, 'name'], 'matcher_not_basename', `"${matcher.name}" must be the executable's base name, without folders`),
        );
      } else if (os === 'win32' && !/\.exe$/i.test(matcher.name)) {
        issues.push(issue([...path, 'name'], 'matcher_missing_exe', `Windows executables end in ".exe" ("${matcher.name}.exe"?)`));
      }
      const name = caseInsensitiveNames(os) ? matcher.name.toLowerCase() : matcher.name;
      const key = JSON.stringify([name, [...(matcher.args ?? [])].sort()]);
      if (seen.has(key)) issues.push(issue(path, 'duplicate_matcher', `the same matcher as an earlier ${os} entry`));
      seen.add(key);
    }
  }
  return issues;
}
