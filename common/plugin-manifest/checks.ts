import { type ContactIdentity, HOSTILE_VALUES, identityValue, isBuiltinIdentityField, SAMPLE_PHONE } from './identity.js';
import { compileFieldPattern } from './identity-fields.js';
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
    ...identityIssues(manifest),
    ...launchIssues(manifest),
    ...copyIssues(manifest),
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
      issues.push(...templateIssues(template, ['launch', kind, index], manifest, kind === 'web'));
    }
  }
  return issues;
}

/** A template placeholder is `{phone}`, `{phoneDigits}` or a field the manifest declares. */
function knownField(manifest: Pick<PluginManifest, 'identity'>, name: string): boolean {
  return isBuiltinIdentityField(name) || manifest.identity.some((field) => field.name === name);
}

function templateIssues(
  template: LinkTemplate,
  path: PathSegment[],
  manifest: PluginManifest,
  requireHttps: boolean,
): ManifestIssue[] {
  const { allowedHosts } = manifest;
  const urlPath = [...path, 'url'];
  const parsed = parseTemplate(template.url);
  if (!parsed.ok) return [issue(urlPath, 'bad_template', parsed.message)];
  const issues: ManifestIssue[] = [];
  const used = new Set<string>();
  for (const { name } of parsed.placeholders) {
    used.add(name);
    if (!knownField(manifest, name)) {
      issues.push(
        issue(urlPath, 'unknown_placeholder', `{${name}} is neither {phone}, {phoneDigits} nor a field declared in "identity"`),
      );
    }
  }
  const target = checkLinkTarget(template.url, allowedHosts, { requireHttps });
  if (target !== undefined) issues.push(issue(urlPath, target.code, target.message));
  for (const name of used) {
    if (!template.needs.some((need) => need === name)) {
      issues.push(issue([...path, 'needs'], 'undeclared_need', `the url uses {${name}}; add "${name}" to needs`));
    }
  }
  for (const need of template.needs) {
    if (!used.has(need) && !knownField(manifest, need)) {
      issues.push(issue([...path, 'needs'], 'unknown_identity_field', `"${need}" is neither phone, phoneDigits nor a field declared in "identity"`));
    } else if (!used.has(need)) {
      issues.push(issue([...path, 'needs'], 'unused_need', `"${need}" is declared but the url never uses {${need}}`));
    }
  }
  if (issues.length > 0) return issues;
  return sampleRenderIssues(template, urlPath, sampleContacts(manifest), allowedHosts, requireHttps);
}

/**
 * The contacts every template is rendered with during validation: one made of the declared
 * examples (a link must work for a real value), and one per hostile value in every field (a value
 * must never move the link to another scheme, host or component).
 */
export function sampleContacts(manifest: Pick<PluginManifest, 'identity'>): ContactIdentity[] {
  const examples: Record<string, string> = { phone: SAMPLE_PHONE };
  for (const field of manifest.identity) examples[field.name] = field.example;
  const hostile = HOSTILE_VALUES.map((value) => {
    const contact: Record<string, string> = { phone: SAMPLE_PHONE };
    for (const field of manifest.identity) contact[field.name] = value;
    return contact;
  });
  return [examples, ...hostile];
}

/** Renders against sample contacts, including hostile values, and re-checks where the link goes. */
function sampleRenderIssues(
  template: LinkTemplate,
  urlPath: PathSegment[],
  contacts: readonly ContactIdentity[],
  allowedHosts: readonly string[],
  requireHttps: boolean,
): ManifestIssue[] {
  for (const contact of contacts) {
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

/** Each declared field: a unique name, an example its own pattern and length accept, and a use. */
function identityIssues(manifest: PluginManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const seen = new Set<string>();
  const usedByTemplates = new Set<string>(manifest.launch.copy === undefined ? [] : [manifest.launch.copy.field]);
  for (const kind of LAUNCH_KINDS) for (const template of manifest.launch[kind] ?? []) for (const need of template.needs) usedByTemplates.add(need);
  for (const [index, field] of manifest.identity.entries()) {
    const path: PathSegment[] = ['identity', index];
    if (seen.has(field.name)) issues.push(issue([...path, 'name'], 'duplicate_identity_field', `"${field.name}" is declared twice`));
    seen.add(field.name);
    const pattern = compileFieldPattern(field.pattern);
    if (field.example.length > field.maxLength) {
      issues.push(issue([...path, 'example'], 'bad_example', `the example is longer than maxLength (${field.maxLength})`));
    } else if (pattern !== undefined && !pattern.test(field.example)) {
      issues.push(issue([...path, 'example'], 'bad_example', `the example ${JSON.stringify(field.example)} does not match the pattern`));
    }
    if (!usedByTemplates.has(field.name)) {
      issues.push(issue([...path, 'name'], 'unused_identity_field', `no template or launch.copy uses "${field.name}"; declare only what links need`));
    }
  }
  return issues;
}

/** `launch.copy` needs a known field and something to open while the handle is on the clipboard. */
function copyIssues(manifest: PluginManifest): ManifestIssue[] {
  const { copy } = manifest.launch;
  if (copy === undefined) return [];
  const issues: ManifestIssue[] = [];
  if (!knownField(manifest, copy.field)) {
    issues.push(issue(['launch', 'copy', 'field'], 'unknown_identity_field', `"${copy.field}" is neither phone, phoneDigits nor a field declared in "identity"`));
  }
  const opensApp = (manifest.launch.open ?? []).length > 0 || (manifest.launch.web ?? []).some((template) => template.needs.length === 0);
  if (!opensApp) {
    issues.push(issue(['launch', 'copy'], 'copy_without_open', 'needs an "open" link or a "web" link without needs to open while the handle is on the clipboard'));
  }
  return issues;
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
