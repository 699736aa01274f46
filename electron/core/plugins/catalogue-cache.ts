import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isPluginId, pluginIdSchema } from '#common/plugin-manifest/plugin-id.js';

/**
 * The on-disk copy of catalogue manifests the client accepted, so the agent works offline and does not
 * refetch what it already verified. One file per plugin, `<cacheDir>/<id>.json`, holding the manifest's
 * exact text and the integrity it was accepted under; verified icons sit in `<cacheDir>/icons/<id>/`.
 *
 * The integrity is checked again on every read: a file edited by hand, half written or rotted on disk
 * is rejected rather than trusted. It does not stop someone who can write the config folder and
 * recomputes the hash; such a person can already change everything else the app keeps there.
 */

export const CACHE_FORMAT = 1;

const sriSha256Regex = /^sha256-[A-Za-z0-9+/]{43}=$/;

const cachedIcon = z.strictObject({
  /** The manifest's `icon` path, below `icons/<id>/`. */
  file: z.string().min(1).max(200),
  contentType: z.enum(['image/svg+xml', 'image/png']),
  integrity: z.string().regex(sriSha256Regex),
});

const cacheEnvelope = z.strictObject({
  format: z.literal(CACHE_FORMAT),
  id: pluginIdSchema,
  integrity: z.string().regex(sriSha256Regex),
  /** The manifest bytes exactly as served (always valid UTF-8: anything else is rejected before caching). */
  manifestText: z.string().max(1024 * 1024),
  icon: cachedIcon.optional(),
  savedAt: z.string(),
});

export type CachedIcon = z.infer<typeof cachedIcon>;
export type CacheEnvelope = z.infer<typeof cacheEnvelope>;

export type CacheReadProblem = { pluginId: string; code: 'cache_invalid' | 'cache_tampered'; message: string };

export type CachedManifest = {
  id: string;
  integrity: string;
  bytes: Buffer;
  /** Present only when the icon file is there and still matches its integrity. */
  icon?: CachedIcon & { path: string };
};

export function sriSha256(bytes: Uint8Array): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
}

export function iconsDir(cacheDir: string, pluginId: string): string {
  return path.join(cacheDir, 'icons', pluginId);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Write to a sibling and rename, so a crash mid-write never leaves a half file under the real name. */
async function writeAtomically(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function readCachedIcon(cacheDir: string, id: string, icon: CachedIcon): Promise<CachedManifest['icon']> {
  const iconPath = path.join(iconsDir(cacheDir, id), icon.file);
  if (!iconPath.startsWith(iconsDir(cacheDir, id) + path.sep)) return undefined;
  try {
    const bytes = await readFile(iconPath);
    return sriSha256(bytes) === icon.integrity ? { ...icon, path: iconPath } : undefined;
  } catch {
    return undefined;
  }
}

/** One cache file; a missing file is `undefined`, anything wrong with an existing one a problem. */
export async function readCachedManifest(
  cacheDir: string,
  id: string,
): Promise<{ cached: CachedManifest } | { problem: CacheReadProblem } | undefined> {
  const file = path.join(cacheDir, `${id}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    return { problem: { pluginId: id, code: 'cache_invalid', message: `cannot read ${file} (${errorCode(error) ?? String(error)})` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: { pluginId: id, code: 'cache_invalid', message: `${file} is not JSON` } };
  }
  const envelope = cacheEnvelope.safeParse(json);
  if (!envelope.success || envelope.data.id !== id) {
    return { problem: { pluginId: id, code: 'cache_invalid', message: `${file} is not a catalogue cache entry for "${id}"` } };
  }
  const bytes = Buffer.from(envelope.data.manifestText, 'utf8');
  if (sriSha256(bytes) !== envelope.data.integrity) {
    return { problem: { pluginId: id, code: 'cache_tampered', message: `${file} no longer matches its integrity ${envelope.data.integrity}` } };
  }
  const icon = envelope.data.icon === undefined ? undefined : await readCachedIcon(cacheDir, id, envelope.data.icon);
  return { cached: { id, integrity: envelope.data.integrity, bytes, ...(icon === undefined ? {} : { icon }) } };
}

/** Plugin ids with a cache file, valid or not; an absent folder is an empty cache. */
export async function cachedPluginIds(cacheDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((id) => isPluginId(id))
    .sort();
}

/** Every cache entry; unreadable or tampered ones come back as problems, never as entries. */
export async function readCatalogueCache(cacheDir: string): Promise<{ entries: Map<string, CachedManifest>; problems: CacheReadProblem[] }> {
  const entries = new Map<string, CachedManifest>();
  const problems: CacheReadProblem[] = [];
  for (const id of await cachedPluginIds(cacheDir)) {
    const read = await readCachedManifest(cacheDir, id);
    if (read === undefined) continue;
    if ('problem' in read) problems.push(read.problem);
    else entries.set(id, read.cached);
  }
  return { entries, problems };
}

/** Stores an accepted manifest (and its icon, when one was verified). The caller has checked `integrity`. */
export async function writeCachedManifest(
  cacheDir: string,
  entry: { id: string; integrity: string; bytes: Buffer; icon?: { file: string; contentType: CachedIcon['contentType']; bytes: Buffer } },
): Promise<void> {
  let icon: CachedIcon | undefined;
  if (entry.icon !== undefined) {
    const target = path.join(iconsDir(cacheDir, entry.id), entry.icon.file);
    if (!target.startsWith(iconsDir(cacheDir, entry.id) + path.sep)) throw new Error(`icon path "${entry.icon.file}" leaves the cache folder`);
    await writeAtomically(target, entry.icon.bytes);
    icon = { file: entry.icon.file, contentType: entry.icon.contentType, integrity: sriSha256(entry.icon.bytes) };
  }
  const envelope: CacheEnvelope = {
    format: CACHE_FORMAT,
    id: entry.id,
    integrity: entry.integrity,
    manifestText: entry.bytes.toString('utf8'),
    ...(icon === undefined ? {} : { icon }),
    savedAt: new Date().toISOString(),
  };
  await writeAtomically(path.join(cacheDir, `${entry.id}.json`), JSON.stringify(envelope, null, 2) + '\n');
}

/** Forgets a plugin the server no longer lists. */
export async function removeCachedManifest(cacheDir: string, id: string): Promise<void> {
  await rm(path.join(cacheDir, `${id}.json`), { force: true });
  await rm(iconsDir(cacheDir, id), { recursive: true, force: true });
}
