import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type ManifestIssue,
  parseManifest,
  type PluginManifest,
  SWITCHBOARD_ENGINE_VERSION,
} from '#common/plugin-manifest/index.js';
import { iconSize } from './icon-size.js';
import { parseJsonWithLocation } from './json-location.js';

export const MANIFEST_FILE = 'manifest.json';

export interface PluginValidation {
  ok: boolean;
  /** The folder as given. */
  dir: string;
  /** Present whenever the manifest's structure was valid, even if other checks failed. */
  manifest?: PluginManifest;
  issues: ManifestIssue[];
}

export interface ValidateOptions {
  engineVersion?: string;
}

function fileIssue(pathText: string, code: string, message: string): ManifestIssue {
  return { path: pathText, code, message };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function readManifestText(dir: string): Promise<{ text: string } | { issue: ManifestIssue }> {
  try {
    const folder = await stat(dir);
    if (!folder.isDirectory()) return { issue: fileIssue('', 'not_a_folder', `${dir} is not a folder`) };
  } catch (error) {
    return { issue: fileIssue('', 'folder_missing', `${dir} does not exist (${errorCode(error) ?? 'unreadable'})`) };
  }
  try {
    return { text: await readFile(path.join(dir, MANIFEST_FILE), 'utf8') };
  } catch (error) {
    return errorCode(error) === 'ENOENT'
      ? { issue: fileIssue(MANIFEST_FILE, 'manifest_missing', `the folder has no ${MANIFEST_FILE}`) }
      : { issue: fileIssue(MANIFEST_FILE, 'manifest_unreadable', `cannot read ${MANIFEST_FILE} (${errorCode(error) ?? String(error)})`) };
  }
}

/** A path inside the plugin folder that, followed through symlinks, must stay inside it. */
async function insideFolder(dir: string, relative: string): Promise<{ file: string } | { missing: true } | { outside: true }> {
  try {
    const [root, file] = await Promise.all([realpath(dir), realpath(path.join(dir, relative))]);
    return file.startsWith(root + path.sep) ? { file } : { outside: true };
  } catch {
    return { missing: true };
  }
}

async function iconIssues(dir: string, icon: string): Promise<ManifestIssue[]> {
  const located = await insideFolder(dir, icon);
  if ('missing' in located) return [fileIssue('icon', 'icon_missing', `"${icon}" does not exist in the plugin folder`)];
  if ('outside' in located) return [fileIssue('icon', 'icon_outside_folder', `"${icon}" leads outside the plugin folder`)];
  let bytes: Uint8Array;
  try {
    bytes = await readFile(located.file);
  } catch (error) {
    return [fileIssue('icon', 'icon_unreadable', `cannot read "${icon}" (${errorCode(error) ?? String(error)})`)];
  }
  const size = iconSize(icon, bytes);
  if (!size.ok) return [fileIssue('icon', 'icon_unreadable', `"${icon}" ${size.reason}`)];
  if (size.width !== size.height) {
    return [fileIssue('icon', 'icon_not_square', `"${icon}" is ${size.width}×${size.height}; icons must be square`)];
  }
  return [];
}

async function mainIssues(dir: string, main: string): Promise<ManifestIssue[]> {
  const located = await insideFolder(dir, main);
  if ('missing' in located) return [fileIssue('main', 'main_missing', `"${main}" does not exist in the plugin folder`)];
  if ('outside' in located) return [fileIssue('main', 'main_outside_folder', `"${main}" leads outside the plugin folder`)];
  return [];
}

function idIssue(declaredId: unknown, dir: string): ManifestIssue[] {
  const folderName = path.basename(path.resolve(dir));
  if (typeof declaredId !== 'string' || declaredId === folderName) return [];
  return [fileIssue('id', 'id_mismatch', `id "${declaredId}" must equal the folder name "${folderName}"`)];
}

/**
 * Checks one plugin folder: the manifest (syntax, schema, cross-field rules) and the files it names.
 * Never throws for anything wrong with the folder: every problem becomes an issue with a code.
 */
export async function validatePluginDir(dir: string, options: ValidateOptions = {}): Promise<PluginValidation> {
  const read = await readManifestText(dir);
  if ('issue' in read) return { ok: false, dir, issues: [read.issue] };
  const json = parseJsonWithLocation(read.text.replace(/^\uFEFF/, ''));
  if (!json.ok) return { ok: false, dir, issues: [fileIssue(MANIFEST_FILE, 'bad_json', json.message)] };

  const parsed = parseManifest(json.value, { engineVersion: options.engineVersion ?? SWITCHBOARD_ENGINE_VERSION });
  const manifest = parsed.manifest;
  const declaredId = json.value !== null && typeof json.value === 'object' ? (json.value as { id?: unknown }).id : undefined;
  const issues = [...(parsed.ok ? [] : parsed.issues), ...idIssue(declaredId, dir)];
  if (manifest !== undefined) {
    issues.push(...(await iconIssues(dir, manifest.icon)));
    if (manifest.main !== undefined) issues.push(...(await mainIssues(dir, manifest.main)));
  }
  return manifest === undefined ? { ok: false, dir, issues } : { ok: issues.length === 0, dir, manifest, issues };
}
