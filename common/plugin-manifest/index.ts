export { SWITCHBOARD_ENGINE_VERSION } from './engine.js';
export {
  type ContactIdentity,
  type IdentityField,
  IDENTITY_FIELDS,
  identityValue,
  isIdentityField,
  SAMPLE_CONTACTS,
} from './identity.js';
export { formatPath, type ManifestIssue } from './issues.js';
export { type LaunchLinkResult, renderLaunchLink, templateUsable } from './launch.js';
export {
  type AppMatcherSet,
  candidateNames,
  caseInsensitiveNames,
  type CompiledMatchers,
  compileMatchers,
  matcherSetsFor,
  matchRunningApps,
  type ProcessRow,
  type RunningApps,
  type WatchedPlatform,
} from './matchers.js';
export { type ManifestParseResult, parseManifest, type ParseManifestOptions } from './parse.js';
export {
  CAPABILITIES,
  type Capability,
  LAUNCH_KINDS,
  type LaunchKind,
  type LinkTemplate,
  type ManifestInput,
  manifestSchema,
  OPERATING_SYSTEMS,
  type OperatingSystem,
  PLUGIN_ID_REGEX,
  type PluginAuth,
  type PluginManifest,
  type ProcessMatcher,
} from './schema.js';
export { compareVersions, isValidRange, parseVersion, satisfiesRange, type SemVer } from './semver.js';
export { checkLinkTarget, encodeValue, type LinkProblem, parseTemplate, renderTemplate } from './template.js';
export { ALLOWED_LINK_SCHEMES, hostAllowed, isAllowedScheme } from './url.js';
