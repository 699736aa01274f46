import path from 'node:path';
import { catalogueResponse } from '#common/contract/accounts.js';
import { isPluginId } from '#common/plugin-manifest/plugin-id.js';
import {
  type ManifestIssue,
  parseManifest,
  type PluginManifest,
  satisfiesRange,
  SWITCHBOARD_ENGINE_VERSION,
} from '#common/plugin-manifest/index.js';
import { configDir } from '../device.js';
import {
  type CachedManifest,
  cachedPluginIds,
  iconsDir,
  readCachedManifest,
  readCatalogueCache,
  removeCachedManifest,
  sriSha256,
  writeCachedManifest,
} from './catalogue-cache.js';
import { iconSize } from './icon-size.js';
import { routePath } from '#common/contract/route.js';
import { routes } from '#common/contract/routes.js';

/**
 * The server's plugin catalogue on the client: new process matchers and link templates without an app
 * update. Only data crosses: a manifest's `main` is dropped, because a server (or anything between it
 * and us) must never be able to make the desktop run code.
 *
 * Trust: the listing (`routes.plugins`) names each manifest's sha256; the manifest bytes may come from
 * anywhere (`manifestUrl`, e.g. a CDN) and are hashed before they are even parsed. Icons are not covered
 * by the listing, so their integrity header only catches transport damage; an icon is a picture shown
 * under a strict CSP, never code.
 */

export type CatalogueProblemCode =
  | 'catalogue_unreachable'
  | 'catalogue_http_error'
  | 'catalogue_invalid'
  | 'duplicate_entry'
  | 'bad_manifest_url'
  | 'manifest_unreachable'
  | 'manifest_too_large'
  | 'integrity_mismatch'
  | 'manifest_invalid'
  | 'engine_unsatisfied'
  | 'id_mismatch'
  | 'cache_invalid'
  | 'cache_tampered'
  | 'cache_write_failed'
  | 'icon_unavailable'
  /** From the merge with local plugins (catalogue-merge.ts). */
  | 'local_plugin_kept'
  | 'update_rejected';

export interface CatalogueProblem {
  /** Absent for problems with the listing as a whole. */
  pluginId?: string;
  code: CatalogueProblemCode;
  message: string;
  issues?: ManifestIssue[];
}

export interface CatalogueManifest {
  id: string;
  /** Validated against this engine, without `main` (and without the capabilities that need code). */
  manifest: PluginManifest;
  integrity: string;
  /** Fetched and verified in this sync, or read (and re-verified) from the cache. */
  source: 'server' | 'cache';
  /** A verified local copy of the icon the server served for it. */
  iconFile?: string;
}

export interface CatalogueSyncResult {
  /** True when the server's listing was read; false when the cache stood in for it. */
  online: boolean;
  plugins: CatalogueManifest[];
  problems: CatalogueProblem[];
}

export interface CatalogueSyncOptions {
  serverUrl: string;
  /** `<configDir>/catalogue` by default. */
  cacheDir?: string;
  engineVersion?: string;
  /** Per request. */
  timeoutMs?: number;
  /** Aborts every request of this sync, e.g. when the agent stops. */
  signal?: AbortSignal;
}

export const DEFAULT_CATALOGUE_TIMEOUT_MS = 10_000;
const MAX_LISTING_BYTES = 4 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 256 * 1024;
const MAX_ICON_BYTES = 512 * 1024;

/** Declared by the schema but meaningless without the plugin's own code, which the catalogue never ships. */
const CODE_ONLY_CAPABILITIES = new Set<string>(['contacts-import', 'identity-lookup']);

const ICON_TYPE_BY_EXTENSION: Record<string, 'image/svg+xml' | 'image/png'> = { '.svg': 'image/svg+xml', '.png': 'image/png' };

export function defaultCatalogueCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.join(configDir(env), 'catalogue');
}

class CatalogueFetchError extends Error {
  constructor(
    readonly code: CatalogueProblemCode,
    message: string,
  ) {
    super(message);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** Reads a body up to `limit` bytes; a larger one is cut off rather than buffered whole. */
async function readLimited(response: Response, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new CatalogueFetchError('manifest_too_large', `${what} is ${declared} bytes; at most ${limit} are accepted`);
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new CatalogueFetchError('manifest_too_large', `${what} exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function fetchBytes(
  url: URL,
  options: { timeoutMs: number; signal?: AbortSignal; limit: number; what: string; unreachable: CatalogueProblemCode; httpError: CatalogueProblemCode },
): Promise<{ bytes: Buffer; headers: Headers }> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]), redirect: 'follow' });
  } catch (error) {
    throw new CatalogueFetchError(options.unreachable, `cannot fetch ${options.what} from ${url.href}: ${describeError(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new CatalogueFetchError(options.httpError, `${url.href} answered ${response.status} for ${options.what}`);
  }
  try {
    return { bytes: await readLimited(response, options.limit, options.what), headers: response.headers };
  } catch (error) {
    if (error instanceof CatalogueFetchError) throw error;
    throw new CatalogueFetchError(options.unreachable, `reading ${options.what} from ${url.href} failed: ${describeError(error)}`);
  }
}

type Listing = { id: string; integrity: string; manifestUrl: URL; iconIntegrity: string | undefined }[];

async function fetchListing(
  serverUrl: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ listing: Listing; listedIds: Set<string>; problems: CatalogueProblem[] }> {
  const listingUrl = new URL(routePath(routes.plugins), serverUrl);
  const { bytes } = await fetchBytes(listingUrl, {
    timeoutMs,
    ...(signal === undefined ? {} : { signal }),
    limit: MAX_LISTING_BYTES,
    what: 'the plugin catalogue',
    unreachable: 'catalogue_unreachable',
    httpError: 'catalogue_http_error',
  }).catch((error: unknown) => {
    // An oversized listing is a broken answer, not a missing one.
    if (error instanceof CatalogueFetchError && error.code === 'manifest_too_large') throw new CatalogueFetchError('catalogue_invalid', error.message);
    throw error;
  });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CatalogueFetchError('catalogue_invalid', `${listingUrl.href} did not answer JSON`);
  }
  const parsed = catalogueResponse.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first === undefined ? '' : ` (${first.path.join('.')}: ${first.message})`;
    throw new CatalogueFetchError('catalogue_invalid', `${listingUrl.href} answered something that is not a plugin catalogue${where}`);
  }
  // Each entry's inline `manifest` copy is deliberately unused: only bytes that match the integrity count.
  const listing: Listing = [];
  const problems: CatalogueProblem[] = [];
  for (const entry of parsed.data.plugins) {
    if (!isPluginId(entry.id)) {
      problems.push({ code: 'id_mismatch', message: `the catalogue lists "${entry.id.slice(0, 60)}", which is not a plugin id` });
      continue;
    }
    if (listing.some((earlier) => earlier.id === entry.id)) {
      problems.push({ pluginId: entry.id, code: 'duplicate_entry', message: `the catalogue lists "${entry.id}" twice; the first entry counts` });
      continue;
    }
    let manifestUrl: URL;
    try {
      manifestUrl = new URL(entry.manifestUrl, listingUrl);
    } catch {
      problems.push({ pluginId: entry.id, code: 'bad_manifest_url', message: `"${entry.manifestUrl.slice(0, 200)}" is not a URL` });
      continue;
    }
    if (manifestUrl.protocol !== 'https:' && manifestUrl.protocol !== 'http:') {
      problems.push({ pluginId: entry.id, code: 'bad_manifest_url', message: `manifests are fetched over http(s) only, not ${manifestUrl.protocol}` });
      continue;
    }
    listing.push({ id: entry.id, integrity: entry.integrity, manifestUrl, iconIntegrity: entry.iconIntegrity });
  }
  return { listing, listedIds: new Set(parsed.data.plugins.map((entry) => entry.id)), problems };
}

/**
 * Turns verified bytes into a manifest this client may use. The caller has already matched the bytes
 * against their integrity: nothing here runs on unverified input.
 */
export function acceptManifestBytes(
  id: string,
  bytes: Uint8Array,
  engineVersion: string,
): { ok: true; manifest: PluginManifest } | { ok: false; problem: CatalogueProblem } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, problem: { pluginId: id, code: 'manifest_invalid', message: `the manifest of "${id}" is not UTF-8 text` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problem: { pluginId: id, code: 'manifest_invalid', message: `the manifest of "${id}" is not JSON: ${describeError(error)}` } };
  }
  const parsed = parseManifest(json, { engineVersion });
  if (!parsed.ok) {
    const engine = parsed.issues.find((issue) => issue.code === 'engine_unsatisfied');
    if (engine !== undefined) {
      return { ok: false, problem: { pluginId: id, code: 'engine_unsatisfied', message: `"${id}": ${engine.message}`, issues: parsed.issues } };
    }
    const count = parsed.issues.length;
    return {
      ok: false,
      problem: { pluginId: id, code: 'manifest_invalid', message: `the manifest of "${id}" is invalid (${count} issue${count === 1 ? '' : 's'})`, issues: parsed.issues },
    };
  }
  // parseManifest checked the range already; this says it where the rule lives, should parsing ever relax it.
  if (!satisfiesRange(engineVersion, parsed.manifest.engines.switchboard)) {
    return { ok: false, problem: { pluginId: id, code: 'engine_unsatisfied', message: `"${id}" needs Switchboard ${parsed.manifest.engines.switchboard}` } };
  }
  if (parsed.manifest.id !== id) {
    return { ok: false, problem: { pluginId: id, code: 'id_mismatch', message: `the catalogue entry "${id}" carries a manifest for "${parsed.manifest.id}"` } };
  }
  return { ok: true, manifest: withoutCode(parsed.manifest) };
}

function withoutCode(manifest: PluginManifest): PluginManifest {
  const { main: _main, ...data } = manifest;
  return { ...data, capabilities: data.capabilities.filter((capability) => !CODE_ONLY_CAPABILITIES.has(capability)) };
}

type FetchedIcon = { file: string; contentType: 'image/svg+xml' | 'image/png'; bytes: Buffer };

async function fetchIcon(manifest: PluginManifest, context: SyncContext, listedIntegrity: string | undefined): Promise<FetchedIcon> {
  const url = new URL(routePath(routes.pluginIcon, { plugin: manifest.id }), context.serverUrl);
  const { bytes, headers } = await fetchBytes(url, {
    timeoutMs: context.timeoutMs,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    limit: MAX_ICON_BYTES,
    what: `the icon of "${manifest.id}"`,
    unreachable: 'icon_unavailable',
    httpError: 'icon_unavailable',
  });
  const expectedType = ICON_TYPE_BY_EXTENSION[path.extname(manifest.icon).toLowerCase()];
  const servedType = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (expectedType === undefined || servedType !== expectedType) {
    throw new CatalogueFetchError('icon_unavailable', `the icon of "${manifest.id}" came as ${servedType || 'no type'}, expected ${expectedType ?? 'svg or png'}`);
  }
  // The listing's integrity binds the icon to the catalogue; the header alone only catches transport damage.
  const declared = listedIntegrity ?? headers.get('x-content-integrity');
  if (declared === null || declared !== sriSha256(bytes)) {
    throw new CatalogueFetchError('icon_unavailable', `the icon of "${manifest.id}" does not match its ${listedIntegrity ? 'listed integrity' : 'integrity header'}`);
  }
  const size = iconSize(manifest.icon, bytes);
  if (!size.ok || size.width !== size.height) {
    throw new CatalogueFetchError('icon_unavailable', `the icon of "${manifest.id}" ${size.ok ? 'is not square' : size.reason}`);
  }
  return { file: manifest.icon, contentType: expectedType, bytes };
}

type SyncContext = { serverUrl: string; cacheDir: string; engineVersion: string; timeoutMs: number; signal?: AbortSignal };

type EntryOutcome = { plugin?: CatalogueManifest; problems: CatalogueProblem[] };

/** What the cache alone gives: used offline, and as the fallback when a fresher copy fails its checks. */
function fromCache(cached: CachedManifest, engineVersion: string): EntryOutcome {
  const accepted = acceptManifestBytes(cached.id, cached.bytes, engineVersion);
  if (!accepted.ok) return { problems: [accepted.problem] };
  return {
    plugin: {
      id: cached.id,
      manifest: accepted.manifest,
      integrity: cached.integrity,
      source: 'cache',
      ...(cached.icon === undefined ? {} : { iconFile: cached.icon.path }),
    },
    problems: [],
  };
}

async function syncEntry(
  entry: Listing[number],
  context: SyncContext,
): Promise<EntryOutcome> {
  const problems: CatalogueProblem[] = [];
  const read = await readCachedManifest(context.cacheDir, entry.id);
  let cached: CachedManifest | undefined;
  if (read !== undefined && 'problem' in read) problems.push(read.problem);
  else if (read !== undefined) cached = read.cached;

  // Unchanged since the last sync: the cached bytes were verified against this very integrity on read.
  if (cached !== undefined && cached.integrity === entry.integrity) {
    const outcome = fromCache(cached, context.engineVersion);
    problems.push(...outcome.problems);
    if (outcome.plugin !== undefined && cached.icon === undefined) {
      const iconFile = await fetchAndCacheIcon(outcome.plugin.manifest, { id: cached.id, integrity: cached.integrity, bytes: cached.bytes }, context, problems, entry.iconIntegrity);
      if (iconFile !== undefined) outcome.plugin.iconFile = iconFile;
    }
    return { plugin: outcome.plugin, problems };
  }

  const fallBack = (problem: CatalogueProblem): EntryOutcome => {
    if (cached === undefined) return { problems: [...problems, problem] };
    const outcome = fromCache(cached, context.engineVersion);
    const kept = outcome.plugin === undefined ? '' : `; keeping the cached version ${outcome.plugin.manifest.version}`;
    return { plugin: outcome.plugin, problems: [...problems, { ...problem, message: problem.message + kept }, ...outcome.problems] };
  };

  let bytes: Buffer;
  try {
    ({ bytes } = await fetchBytes(entry.manifestUrl, {
      timeoutMs: context.timeoutMs,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      limit: MAX_MANIFEST_BYTES,
      what: `the manifest of "${entry.id}"`,
      unreachable: 'manifest_unreachable',
      httpError: 'manifest_unreachable',
    }));
  } catch (error) {
    const code = error instanceof CatalogueFetchError ? error.code : 'manifest_unreachable';
    return fallBack({ pluginId: entry.id, code, message: describeError(error) });
  }
  // Before anything reads the bytes: parsing is where hostile input would do its harm.
  const actual = sriSha256(bytes);
  if (actual !== entry.integrity) {
    return fallBack({
      pluginId: entry.id,
      code: 'integrity_mismatch',
      message: `the manifest of "${entry.id}" from ${entry.manifestUrl.href} hashes to ${actual}, but the catalogue says ${entry.integrity}`,
    });
  }
  const accepted = acceptManifestBytes(entry.id, bytes, context.engineVersion);
  if (!accepted.ok) return fallBack(accepted.problem);

  const plugin: CatalogueManifest = { id: entry.id, manifest: accepted.manifest, integrity: entry.integrity, source: 'server' };
  // A new version may name another icon file: start its cache folder afresh.
  await removeCachedManifest(context.cacheDir, entry.id).catch(() => undefined);
  const iconFile = await fetchAndCacheIcon(accepted.manifest, { id: entry.id, integrity: entry.integrity, bytes }, context, problems, entry.iconIntegrity);
  if (iconFile !== undefined) plugin.iconFile = iconFile;
  return { plugin, problems };
}

/**
 * Caches the manifest together with its icon when the icon can be had, or alone when it cannot: a
 * missing picture must not cost the network its matchers. Answers the cached icon's path, if any.
 */
async function fetchAndCacheIcon(
  manifest: PluginManifest,
  verified: { id: string; integrity: string; bytes: Buffer },
  context: SyncContext,
  problems: CatalogueProblem[],
  listedIconIntegrity: string | undefined,
): Promise<string | undefined> {
  let icon: FetchedIcon | undefined;
  try {
    icon = await fetchIcon(manifest, context, listedIconIntegrity);
  } catch (error) {
    problems.push({ pluginId: verified.id, code: 'icon_unavailable', message: describeError(error) });
  }
  try {
    await writeCachedManifest(context.cacheDir, { ...verified, ...(icon === undefined ? {} : { icon }) });
  } catch (error) {
    problems.push({ pluginId: verified.id, code: 'cache_write_failed', message: `cannot cache "${verified.id}": ${describeError(error)}` });
    return undefined;
  }
  return icon === undefined ? undefined : path.join(iconsDir(context.cacheDir, verified.id), icon.file);
}

/** The manifests the cache holds, each re-verified: what the app uses before (or without) the network. */
export async function readCachedCatalogue(options: { cacheDir?: string; engineVersion?: string } = {}): Promise<CatalogueSyncResult> {
  const cacheDir = options.cacheDir ?? defaultCatalogueCacheDir();
  const engineVersion = options.engineVersion ?? SWITCHBOARD_ENGINE_VERSION;
  const { entries, problems } = await readCatalogueCache(cacheDir);
  const result: CatalogueSyncResult = { online: false, plugins: [], problems: [...problems] };
  for (const cached of entries.values()) {
    const outcome = fromCache(cached, engineVersion);
    if (outcome.plugin !== undefined) result.plugins.push(outcome.plugin);
    result.problems.push(...outcome.problems);
  }
  return result;
}

/**
 * Fetches the catalogue, verifies and caches every manifest, and answers what the client may use.
 * Never throws for anything the server, the network or the cache does: each becomes a problem with a
 * code, and when the listing cannot be had the cache stands in for it.
 */
export async function syncCatalogue(options: CatalogueSyncOptions): Promise<CatalogueSyncResult> {
  const cacheDir = options.cacheDir ?? defaultCatalogueCacheDir();
  const engineVersion = options.engineVersion ?? SWITCHBOARD_ENGINE_VERSION;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CATALOGUE_TIMEOUT_MS;

  let listed: Awaited<ReturnType<typeof fetchListing>>;
  try {
    listed = await fetchListing(options.serverUrl, timeoutMs, options.signal);
  } catch (error) {
    const code = error instanceof CatalogueFetchError ? error.code : 'catalogue_unreachable';
    const offline = await readCachedCatalogue({ cacheDir, engineVersion });
    return { ...offline, problems: [{ code, message: `${describeError(error)}; using the cached catalogue` }, ...offline.problems] };
  }

  const context: SyncContext = { serverUrl: options.serverUrl, cacheDir, engineVersion, timeoutMs, ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const outcomes = await Promise.all(listed.listing.map((entry) => syncEntry(entry, context)));
  const result: CatalogueSyncResult = { online: true, plugins: [], problems: [...listed.problems] };
  for (const outcome of outcomes) {
    if (outcome.plugin !== undefined) result.plugins.push(outcome.plugin);
    result.problems.push(...outcome.problems);
  }

  // The server no longer lists these: its operators withdrew them, so the client forgets them too.
  for (const id of await cachedPluginIds(cacheDir)) {
    if (!listed.listedIds.has(id)) await removeCachedManifest(cacheDir, id).catch(() => undefined);
  }
  return result;
}
