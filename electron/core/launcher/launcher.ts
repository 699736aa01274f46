import { launchRequest, type LaunchRequest, type LaunchResult } from '../../../common/bridge/contract.js';
import { renderLaunchLink, type LaunchLinkResult } from '../../../common/plugin-manifest/launch.js';
import type { LaunchKind, PluginManifest } from '../../../common/plugin-manifest/schema.js';
import { isAllowedScheme, splitUrl } from '../../../common/plugin-manifest/url.js';
import type { UserGesture, UserGestureGate } from './gesture.js';
import type { SchemeHandlerProbe } from './handler-probe.js';
import type { OpenResult } from './xdg-open.js';

/** What the launcher needs of a plugin: its links and the hosts they may go to. */
export type LaunchablePlugin = Pick<PluginManifest, 'id' | 'name' | 'launch' | 'allowedHosts'>;

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

export type LaunchChoice =
  | { ok: true; kind: LaunchKind; url: string; handler?: string; skipped: SkippedLink[] }
  | { ok: false; code: LaunchFailureCode; message: string; skipped: SkippedLink[] };

export type LaunchOutcome = LaunchChoice;

export interface LauncherOptions {
  findPlugin(id: string): LaunchablePlugin | undefined;
  probe: SchemeHandlerProbe;
  openExternal: ExternalOpener;
  gestures: UserGestureGate;
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
    const nativeOrSkip = async (kind: 'chat' | 'open'): Promise<LaunchChoice | undefined> => {
      const link = renderLaunchLink(plugin, kind, identity);
      if (!link.ok) {
        if (link.code !== 'no_template') skipped.push({ kind, code: link.code, message: link.message });
        return undefined;
      }
      const scheme = schemeOf(link.url);
      // A chat link that is itself https needs no app; the renderer already checked its host.
      if (scheme === 'https') return { ok: true, kind, url: link.url, skipped };
      const lookup = await this.options.probe.lookup(scheme);
      if (lookup.installed) return { ok: true, kind, url: link.url, handler: lookup.handler, skipped };
      const reason = lookup.problem ?? { code: 'no_handler', message: `no app is registered for "${scheme}:" links` };
      skipped.push({ kind, code: reason.code === 'no_handler' ? 'no_handler' : reason.code, message: reason.message });
      return undefined;
    };

    const chat = await nativeOrSkip('chat');
    if (chat !== undefined) return chat;
    const web = renderLaunchLink(plugin, 'web', identity);
    if (web.ok) return { ok: true, kind: 'web', url: web.url, skipped };
    if (web.code !== 'no_template') skipped.push({ kind: 'web', code: web.code, message: web.message });
    const open = await nativeOrSkip('open');
    if (open !== undefined) return open;
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
    let opened: OpenResult;
    try {
      opened = await this.options.openExternal(choice.url);
    } catch (error) {
      opened = { ok: false, code: 'open_failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (!opened.ok) return { ok: false, code: opened.code, message: opened.message, skipped: choice.skipped };
    return choice;
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
  return outcome.ok ? { ok: true, kind: outcome.kind, url: outcome.url } : { ok: false, code: outcome.code, message: outcome.message };
}
