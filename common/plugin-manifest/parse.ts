import { semanticIssues } from './checks.js';
import { SWITCHBOARD_ENGINE_VERSION } from './engine.js';
import { issue, issuesFromZod, type ManifestIssue } from './issues.js';
import { manifestSchema, type PluginManifest } from './schema.js';

export type ManifestParseResult =
  | { ok: true; manifest: PluginManifest }
  /** `manifest` is there when only cross-field checks failed, so callers can still check files. */
  | { ok: false; issues: ManifestIssue[]; manifest?: PluginManifest };

export interface ParseManifestOptions {
  /** The Switchboard version `engines.switchboard` must admit; the running engine by default. */
  engineVersion?: string;
}

/**
 * Validates a parsed `manifest.json`. Never throws: every problem, structural or semantic, comes
 * back as an issue. Semantic checks run only once the structure is right, since they rely on it.
 */
export function parseManifest(json: unknown, options: ParseManifestOptions = {}): ManifestParseResult {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, issues: [issue('', 'not_an_object', 'the manifest must be a JSON object ({ ... })')] };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error, json, Object.keys(manifestSchema.shape)) };
  const issues = semanticIssues(parsed.data, options.engineVersion ?? SWITCHBOARD_ENGINE_VERSION);
  return issues.length === 0 ? { ok: true, manifest: parsed.data } : { ok: false, issues, manifest: parsed.data };
}
