import { runBounded } from './run-bounded.js';

/**
 * Whether this machine has an app registered for a URL scheme (`tg:`, `slack:`), so the launcher can
 * choose the native deep link and fall back to the web link otherwise. A lookup never rejects: a
 * broken probe answers "not installed" with the problem attached, because the web link is always the
 * safe choice.
 */
export type ProbeProblemCode =
  | 'invalid_scheme'
  | 'probe_unavailable'
  | 'probe_timeout'
  | 'probe_failed'
  | 'probe_output_invalid';

export type HandlerLookup =
  | { installed: true; handler: string }
  | { installed: false; problem?: { code: ProbeProblemCode; message: string } };

export interface SchemeHandlerProbe {
  lookup(scheme: string): Promise<HandlerLookup>;
}

/** RFC 3986 scheme syntax, lower case: anything else never reaches a command line. */
const SCHEME_REGEX = /^[a-z][a-z0-9+.-]{0,31}$/;
/** A desktop file id as xdg-mime prints it, e.g. `org.telegram.desktop.desktop`, `slack.desktop`. */
const DESKTOP_ID_REGEX = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*\.desktop$/;

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;
/** Long enough to absorb a burst of clicks, short enough that installing the app is noticed at once. */
export const DEFAULT_PROBE_CACHE_MS = 10_000;
const MAX_CACHED_SCHEMES = 64;

export interface ProbeCacheOptions {
  cacheMs?: number;
  now?: () => number;
}

function invalidScheme(scheme: string): HandlerLookup {
  return { installed: false, problem: { code: 'invalid_scheme', message: `"${scheme.slice(0, 40)}" is not a URL scheme` } };
}

/**
 * Answers are kept for `cacheMs`; concurrent lookups of one scheme share one run. Problems are not
 * kept, so a probe that timed out once is asked again on the next click.
 */
function cached(lookupUncached: (scheme: string) => Promise<HandlerLookup>, options: ProbeCacheOptions): SchemeHandlerProbe {
  const cacheMs = options.cacheMs ?? DEFAULT_PROBE_CACHE_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { expiresAt: number; answer: Promise<HandlerLookup> }>();
  return {
    lookup(scheme) {
      if (!SCHEME_REGEX.test(scheme)) return Promise.resolve(invalidScheme(scheme));
      const entry = entries.get(scheme);
      if (entry !== undefined && entry.expiresAt > now()) return entry.answer;
      if (entries.size >= MAX_CACHED_SCHEMES) entries.clear();
      const answer = lookupUncached(scheme).then((result) => {
        if (!result.installed && result.problem !== undefined) entries.delete(scheme);
        return result;
      });
      entries.set(scheme, { expiresAt: now() + cacheMs, answer });
      return answer;
    },
  };
}

/** Reads what `xdg-mime query default x-scheme-handler/<scheme>` printed. */
export function parseXdgMimeDefault(stdout: string): HandlerLookup {
  const lines = stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines.length === 0) return { installed: false };
  const [first] = lines;
  if (lines.length === 1 && first !== undefined && DESKTOP_ID_REGEX.test(first)) return { installed: true, handler: first };
  const shown = JSON.stringify(stdout.slice(0, 80));
  return { installed: false, problem: { code: 'probe_output_invalid', message: `xdg-mime printed ${shown}, not a desktop file id` } };
}

export interface XdgMimeProbeOptions extends ProbeCacheOptions {
  /** The XDG_* variables decide which mimeapps.list files count; tests point them at a temporary folder. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  command?: string;
}

/** Linux: the freedesktop way, the same lookup `xdg-open` makes before it opens a link. */
export function createXdgMimeProbe(options: XdgMimeProbeOptions = {}): SchemeHandlerProbe {
  const command = options.command ?? 'xdg-mime';
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  return cached(async (scheme) => {
    const run = await runBounded(command, ['query', 'default', `x-scheme-handler/${scheme}`], { env: options.env, timeoutMs });
    if (!run.ok) {
      const code = run.code === 'command_missing' ? 'probe_unavailable' : run.code === 'command_timeout' ? 'probe_timeout' : 'probe_failed';
      const hint = run.code === 'command_missing' ? ' (Debian: apt-get install xdg-utils)' : '';
      return { installed: false, problem: { code, message: run.message + hint } };
    }
    if (run.exitCode !== 0) {
      const detail = run.stderr.trim().slice(0, 200);
      return { installed: false, problem: { code: 'probe_failed', message: `xdg-mime exited with ${run.exitCode}${detail ? `: ${detail}` : ''}` } };
    }
    return parseXdgMimeDefault(run.stdout);
  }, options);
}

export interface InjectedProbeOptions extends ProbeCacheOptions {
  timeoutMs?: number;
}

/**
 * macOS and Windows: Electron main passes `app.getApplicationNameForProtocol`, which asks Launch
 * Services or the registry. The answer is the handler's display name, or empty when there is none.
 */
export function createInjectedProbe(
  handlerName: (scheme: string) => string | Promise<string>,
  options: InjectedProbeOptions = {},
): SchemeHandlerProbe {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  return cached(async (scheme) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HandlerLookup>((resolve) => {
      timer = setTimeout(() => resolve({ installed: false, problem: { code: 'probe_timeout', message: `no answer about "${scheme}:" within ${timeoutMs} ms` } }), timeoutMs);
    });
    const asked = (async (): Promise<HandlerLookup> => {
      try {
        const name = await handlerName(scheme);
        if (typeof name !== 'string') return { installed: false, problem: { code: 'probe_output_invalid', message: 'the handler lookup did not answer a name' } };
        return name.trim() === '' ? { installed: false } : { installed: true, handler: name.trim() };
      } catch (error) {
        return { installed: false, problem: { code: 'probe_failed', message: error instanceof Error ? error.message : String(error) } };
      }
    })();
    try {
      return await Promise.race([asked, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }, options);
}

/** A platform without a way to ask: every native link is treated as not installed. */
export function createUnavailableProbe(reason: string): SchemeHandlerProbe {
  return {
    lookup: async (scheme) =>
      SCHEME_REGEX.test(scheme) ? { installed: false, problem: { code: 'probe_unavailable', message: reason } } : invalidScheme(scheme),
  };
}

/** The probe Electron main and the plain-Node hosts use: xdg-mime on Linux, the injected lookup elsewhere. */
export function createPlatformProbe(options: {
  platform: NodeJS.Platform;
  handlerName?: (scheme: string) => string | Promise<string>;
  env?: NodeJS.ProcessEnv;
}): SchemeHandlerProbe {
  if (options.platform === 'linux') return createXdgMimeProbe({ env: options.env });
  if (options.handlerName !== undefined) return createInjectedProbe(options.handlerName);
  return createUnavailableProbe(`no way to look up URL handlers on ${options.platform} outside the desktop app`);
}
