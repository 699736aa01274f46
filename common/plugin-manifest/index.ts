export { SWITCHBOARD_ENGINE_VERSION } from './engine.js';
export {
  BUILTIN_IDENTITY_FIELDS,
  type BuiltinIdentityField,
  type ContactIdentity,
  HOSTILE_VALUES,
  IDENTITY_FIELD_NAME_REGEX,
  IDENTITY_VALUE_MAX_LENGTH,
  identityValue,
  isBuiltinIdentityField,
  SAMPLE_PHONE,
} from './identity.js';
export {
  compileFieldPattern,
  IDENTITY_SOURCES,
  type IdentityFieldDeclaration,
  identityFieldSchema,
  type IdentityProblemCode,
  type IdentitySource,
  type IdentityValidation,
  LABEL_LANGUAGES,
  type LabelLanguage,
  validateIdentity,
} from './identity-fields.js';
export { sampleContacts } from './checks.js';
export { formatPath, type ManifestIssue } from './issues.js';
export {
  type CopyPlan,
  type LaunchLinkResult,
  type LinkReach,
  planCopy,
  reachesContact,
  renderLaunchLink,
  templateUsable,
} from './launch.js';
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
export { isPluginId, PLUGIN_ID_MAX_LENGTH, PLUGIN_ID_REGEX, type PluginId, pluginIdSchema } from './plugin-id.js';
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
  type PluginAuth,
  type PluginManifest,
  type ProcessMatcher,
} from './schema.js';
export { isExactVersion, isNewerVersion, isValidRange, satisfiesRange } from './versions.js';
export { checkLinkTarget, encodeValue, type LinkProblem, parseTemplate, renderTemplate } from './template.js';
export { ALLOWED_LINK_SCHEMES, hostAllowed, isAllowedScheme } from './url.js';
