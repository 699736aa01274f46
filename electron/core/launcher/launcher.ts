import { launchRequest, type LaunchRequest, type LaunchResult } from '#common/bridge/contract.js';
import { type LinkReach, planCopy, renderLaunchLink, type LaunchLinkResult } from '#common/plugin-manifest/launch.js';
import type { LaunchKind, PluginManifest } from '#common/plugin-manifest/schema.js';
import { isAllowedScheme, splitUrl } from '#common/plugin-manifest/url.js';
import type { UserGesture, UserGestureGate } from './gesture.js';
import type { SchemeHandlerProbe } from './handler-probe.js';
import type { OpenResult } from './xdg-open.js';

/** What the launcher needs of a plugin: its links and the hosts they may go to. */
export type LaunchablePlugin = Pick<PluginManifest, 'id' | 'name' | 'launch' | 'allowedHosts'>;

/** Electron's `clipboard.writeText`; true once the text is on the clipboard. */
export type ClipboardWriter = (text: string) => Promise<boolean> | boolean;

/** `shell.openExternal` in Electron main, `openWithXdgOpen` elsewhere on Linux. */
export type ExternalOpener = (url: string) => Promise<OpenResult>;

/** A link the launcher considered and passed over, with why: shown in diagnostics, never opened. */
export interface SkippedLink {
  kind: LaunchKind;
  code: string;
  message: string;
}

export type LaunchFailureCode =
  | 'invalid_arguments'
  | 'unknown_plugin'
  | 'no_user_gesture'
  | 'no_template'
  | 'missing_identity'
  | 'app_not_installed'
  | 'opener_missing'
  | 'open_failed'
  | Exclude<LaunchLinkResult & { ok: false }, { code: 'no_template' | 'missing_identity' }>['code'];

/** A contact's field that goes on the clipboard when the network has no link to a chat. */
export interface ClipboardCopy {
  field: string;
  value: string;
}

export type LaunchChoice =
  | {
      ok: true;
      kind: LaunchKind;
      url: string;
      /** "contact": the link lands at the person; "app": it only opens the app or site. */
      reaches: 'contact' | 'app';
      handler?: string;
      copy?: ClipboardCopy;
      skipped: SkippedLink[];
    }
  | { ok: false; code: LaunchFailureCode; message: string; missing?: string[]; skipped: SkippedLink[] };

export type LaunchOutcome =
  | (Extract<LaunchChoice, { ok: true }> & { copied?: ClipboardCopy & { done: boolean } })
  | Extract<LaunchChoice, { ok: false }>;

export interface LauncherOptions {
  findPlugin(id: string): LaunchablePlugin | undefined;
  probe: SchemeHandlerProbe;
  openExternal: ExternalOpener;
  gestures: UserGestureGate;
  /** Puts a handle on the clipboard for networks without a chat link; without it the UI shows the handle instead. */
  writeClipboard?: ClipboardWriter;
}

/** Codes meaning "this plugin's link is wrong", as opposed to "this contact or machine lacks something". */
const SOFT_SKIPS = new Set(['no_template', 'missing_identity', 'no_handler']);

function schemeOf(url: string): string {
  return splitUrl(url)?.scheme ?? '';
}

/**
 * One click on a contact's network icon (M20). The contact's identity fills the plugin's templates
 * (through the pure renderer in common/plugin-manifest, which encodes every value and checks scheme
 * and host); the native deep link wins when an app is registered for its scheme, the https link
 * otherwise, and a plain "open the app" link last. Only links rendered from plugin templates reach
 * `openExternal`, and only with a user gesture.
 */
export class Launcher {
  constructor(private readonly options: LauncherOptions) {}

  /** Decides which link a click would open, without opening it (and without needing a gesture). */
  async choose(rawRequest: LaunchRequest): Promise<LaunchChoice> {
    const parsed = launchRequest.safeParse(rawRequest);
    if (!parsed.success) return { ok: false, code: 'invalid_arguments', message: parsed.error.message, skipped: [] };
    const { pluginId, identity } = parsed.data;
    const plugin = this.options.findPlugin(pluginId);
    if (plugin === undefined) return { ok: false, code: 'unknown_plugin', message: `no plugin "${pluginId}" is loaded`, skipped: [] };

    const skipped: SkippedLink[] = [];
    const missing = new Set<string>();
    const note = (kind: LaunchKind, link: Extract<LaunchLinkResult, { ok: false }>) => {
      if (link.code === 'no_template') return;
      if (link.code === 'missing_identity') link.missing.forEach((field) => missing.add(field));
      skipped.push({ kind, code: link.code, message: link.message });
    };
    const nativeOrSkip = async (kind: 'chat' | 'open', reach: LinkReach): Promise<Extract<LaunchChoice, { ok: true }> | undefined> => {
      const link = renderLaunchLink(plugin, kind, identity, reach);
      if (!link.ok) {
        note(kind, link);
        return undefined;
      }
      const reaches = kind === 'chat' ? 'contact' : 'app';
      const scheme = schemeOf(link.url);
      // A link that is itself https needs no app; the renderer already checked its host.
      if (scheme === 'https') return { ok: true, kind, url: link.url, reaches, skipped };
      const lookup = await this.options.probe.lookup(scheme);
      if (lookup.installed) return { ok: true, kind, url: link.url, reaches, handler: lookup.handler, skipped };
      const reason = lookup.problem ?? { code: 'no_handler', message: `no app is registered for "${scheme}:" links` };
      skipped.push({ kind, code: reason.code === 'no_handler' ? 'no_handler' : reason.code, message: reason.message });
      return undefined;
    };
    const webOrSkip = (reach: LinkReach): Extract<LaunchChoice, { ok: true }> | undefined => {
      const link = renderLaunchLink(plugin, 'web', identity, reach);
      if (link.ok) return { ok: true, kind: 'web', url: link.url, reaches: reach === 'contact' ? 'contact' : 'app', skipped };
      note('web', link);
      return undefined;
    };

    // 1. A native chat with the person, 2. the web page of the person.
    const toContact = (await nativeOrSkip('chat', 'contact')) ?? webOrSkip('contact');
    if (toContact !== undefined) return toContact;
    // 3. No link to a chat: open the app (or its web page) with the person's handle on the clipboard.
    const copy = planCopy(plugin, identity);
    if (copy.kind === 'copy') {
      const app = (await nativeOrSkip('open', 'app')) ?? webOrSkip('app');
      if (app !== undefined) return { ...app, copy: { field: copy.field, value: copy.value } };
    }
    if (copy.kind === 'missing') missing.add(copy.field);
    // 4. The person published nothing for this network: the UI suggests asking them.
    if (missing.size > 0) {
      return { ok: false, code: 'missing_identity', message: `the contact has not published ${[...missing].join(', ')}`, missing: [...missing], skipped };
    }
    // 5. Only the app.
    const app = (await nativeOrSkip('open', 'app')) ?? webOrSkip('app');
    if (app !== undefined) return app;
    return { ...this.failureFrom(plugin, skipped), skipped };
  }

  /** Opens the chosen link; refuses without a fresh gesture token from the gate. */
  async open(request: LaunchRequest, gesture: UserGesture | undefined): Promise<LaunchOutcome> {
    if (!this.options.gestures.redeem(gesture)) {
      return { ok: false, code: 'no_user_gesture', message: 'a network opens only right after a click or key press in the app', skipped: [] };
    }
    const choice = await this.choose(request);
    if (!choice.ok) return choice;
    // Defence in depth: whatever the renderer and the manifest checks did, no other scheme leaves here.
    const scheme = schemeOf(choice.url);
    if (!isAllowedScheme(scheme)) {
      return { ok: false, code: 'scheme_not_allowed', message: `scheme "${scheme}:" is not allowed`, skipped: choice.skipped };
    }
    // The handle goes on the clipboard before the app comes to the front, ready to paste there.
    const copied = choice.copy === undefined ? undefined : { ...choice.copy, done: await this.copyToClipboard(choice.copy.value) };
    let opened: OpenResult;
    try {
      opened = await this.options.openExternal(choice.url);
    } catch (error) {
      opened = { ok: false, code: 'open_failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (!opened.ok) return { ok: false, code: opened.code, message: opened.message, skipped: choice.skipped };
    return copied === undefined ? choice : { ...choice, copied };
  }

  private async copyToClipboard(text: string): Promise<boolean> {
    if (this.options.writeClipboard === undefined) return false;
    try {
      return await this.options.writeClipboard(text);
    } catch {
      return false;
    }
  }

  private failureFrom(plugin: LaunchablePlugin, skipped: SkippedLink[]): { ok: false; code: LaunchFailureCode; message: string } {
    if (skipped.length === 0) return { ok: false, code: 'no_template', message: `${plugin.name} has no link to open` };
    const refused = skipped.find((skip) => !SOFT_SKIPS.has(skip.code) && !skip.code.startsWith('probe_') && skip.code !== 'invalid_scheme');
    if (refused !== undefined) return { ok: false, code: refused.code as LaunchFailureCode, message: `${plugin.name}: ${refused.message}` };
    if (skipped.some((skip) => skip.code !== 'missing_identity')) {
      return { ok: false, code: 'app_not_installed', message: `${plugin.name} is not installed here and has no web link for this contact` };
    }
    const missing = skipped.find((skip) => skip.code === 'missing_identity');
    return { ok: false, code: 'missing_identity', message: missing?.message ?? `the contact has no identity on ${plugin.name}` };
  }
}

/** The bridge contract's answer: which link was used, or a code and message. */
export function toLaunchResult(outcome: LaunchOutcome): LaunchResult {
  if (!outcome.ok) return { ok: false, code: outcome.code, message: outcome.message, ...(outcome.missing === undefined ? {} : { missing: outcome.missing }) };
  const copied = 'copied' in outcome ? outcome.copied : undefined;
  return { ok: true, kind: outcome.kind, url: outcome.url, reaches: outcome.reaches, ...(copied === undefined ? {} : { copied }) };
}
