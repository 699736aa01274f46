import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { DesktopCore } from '#core/app/index.js';
import { APP_ORIGIN, resolveAppRequest, type BridgeHost, type DesktopState } from '#core/bridge-host/index.js';
import { createXdgMimeProbe, openWithXdgOpen, type UserGestureGate } from '#core/launcher/index.js';
import type { LoadedPlugin } from '#core/plugins/load.js';
import { createVault, type Vault } from '#core/vault/index.js';
import type { XdgSandbox } from '../../launcher/support/xdg-sandbox.js';
import { tempDir } from '../../support/test-server.js';
import { ownProcessTree } from '../../support/own-processes.js';

export const builtinPluginsDir = fileURLToPath(new URL('../../../plugins/', import.meta.url));
export const rendererDir = fileURLToPath(new URL('../../../renderer/dist/', import.meta.url));

/**
 * Where the desktop page asks for plugin icons: `app://switchboard/plugins/<id>/icon` in Electron, here
 * the same path under a prefix of the page's own origin, so the web CSP (`img-src 'self'`) lets them in.
 */
const APP_PREFIX = '/desktop-app';

/**
 * Resources released in reverse order of acquisition. Every step runs even when an earlier one
 * throws, so a failing test still ends every process it started.
 */
export class Cleanups {
  private readonly steps: { name: string; run: () => unknown }[] = [];

  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }

  async runAll(): Promise<void> {
    const failures: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        failures.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`cleanup failed: ${failures.join('; ')}`);
  }
}

/** One desktop machine behind its window: the desktop core Electron main runs, composed in this process. */
export interface DesktopMachine {
  core: DesktopCore;
  host: BridgeHost;
  gestures: UserGestureGate;
  vault: Vault;
  state: DesktopState;
  plugins: readonly LoadedPlugin[];
  /** The URL the page loads a plugin's icon from (see `serveDesktopIcons`). */
  iconUrl(pluginId: string): string;
  /** What the core logged, for a failing test's message. */
  log: string[];
  close(): Promise<void>;
}

/**
 * The desktop core (electron/core/app/desktop-core.ts) with the shell Electron main gives it, minus
 * Electron: the vault on the keychain the process's D-Bus address points to (a private gnome-keyring in
 * tests), the launcher on real xdg-mime and xdg-open inside `sandbox`, the built-in plugins (and any
 * extra folder). No native file picker, so the page imports through its file input.
 */
export async function startDesktopMachine(options: {
  serverUrl: string;
  sandbox: XdgSandbox;
  vaultService: string;
  extraPluginDirs?: readonly string[];
  /** Plugins may reach a local stand-in of their network over plain http on loopback. */
  pluginsOnLoopback?: boolean;
}): Promise<DesktopMachine> {
  const configDir = tempDir('switchboard-desktop-config-');
  const vault = createVault({ service: options.vaultService });
  const iconUrl = (pluginId: string) => `${options.serverUrl}${APP_PREFIX}/plugins/${pluginId}/icon`;
  const log: string[] = [];
  const core = await DesktopCore.create({
    serverUrl: options.serverUrl,
    builtinPluginsDir,
    extraPluginDirs: options.extraPluginDirs ?? [],
    configDir,
    catalogueCacheDir: path.join(configDir, 'catalogue'),
    vault,
    platform: 'linux',
    log: { info: (line) => log.push(line), warn: (line) => log.push(line) },
    pluginsOnLoopback: options.pluginsOnLoopback === true,
    watcher: { source: ownProcessTree() },
    shell: {
      version: '0.1.0-e2e',
      // Electron main trusts the server's origin when it shows the server's web client (SWITCHBOARD_RENDERER=server).
      trustedOrigins: [options.serverUrl],
      iconUrl,
      handlerProbe: createXdgMimeProbe({ env: options.sandbox.env }),
      openExternal: (url) => openWithXdgOpen(url, { env: options.sandbox.env }),
      notify: (notice) => log.push(`notification: ${notice.title}`),
    },
  });
  await core.start();
  const host = core.bridge;
  if (host === undefined) throw new Error('the desktop core was composed without its shell');
  return {
    core,
    host,
    gestures: core.gestures,
    vault,
    state: core.state,
    plugins: core.localPlugins,
    iconUrl,
    log,
    async close() {
      await core.stop();
      fs.rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** Answers the page's icon requests from the plugin folders, through main's own app-protocol resolver. */
export async function serveDesktopIcons(context: BrowserContext, serverUrl: string, plugins: readonly LoadedPlugin[]): Promise<void> {
  await context.route(`${serverUrl}${APP_PREFIX}/plugins/**`, async (route) => {
    const pathname = new URL(route.request().url()).pathname.slice(APP_PREFIX.length);
    const resource = resolveAppRequest(`${APP_ORIGIN}${pathname}`, {
      rendererDir,
      serverUrl,
      pluginIcon: (id) => {
        const plugin = plugins.find((candidate) => candidate.id === id);
        return plugin === undefined ? undefined : path.join(plugin.dir, plugin.manifest.icon);
      },
    });
    if (!resource.ok) return route.fulfill({ status: resource.status, contentType: 'text/plain', body: resource.message });
    return route.fulfill({ status: 200, contentType: resource.contentType, headers: resource.headers, body: fs.readFileSync(resource.file) });
  });
}

/** A copy of /bin/sleep named like a network's Linux executable, running: what the watcher sees as that app. */
export interface FakeApp {
  child: ChildProcess;
  /** Date.now() just before the process was started. */
  startedAt: number;
  /** Ends it and answers Date.now() once the OS reports it gone. */
  stop(): Promise<number>;
}

export async function startFakeApp(executableName: string): Promise<FakeApp> {
  const dir = tempDir('switchboard-fake-app-');
  const file = path.join(dir, executableName);
  fs.copyFileSync('/bin/sleep', file);
  fs.chmodSync(file, 0o755);
  const startedAt = Date.now();
  const child = spawn(file, ['600'], { stdio: 'ignore' });
  // If the test process dies before its cleanup, the app must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  let stopped: Promise<number> | undefined;
  return {
    child,
    startedAt,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const at = await exited;
        process.off('exit', killOnExit);
        fs.rmSync(dir, { recursive: true, force: true });
        return at;
      })();
      return stopped;
    },
  };
}

// Page-side code runs in Chromium; the test tsconfig has no DOM library, so it names only what it uses.
interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface PageGlobal {
  document: PageElement;
  MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: Record<string, boolean>): void; disconnect(): void };
  __networkLabelMarks?: Record<string, number>;
}

/**
 * Starts recording, inside the page, the moment (Date.now(), the same clock as this process) the
 * network button of the row showing `rowText` first has an accessible name (its aria-label) starting
 * with `labelPrefix`. A MutationObserver sees the DOM change itself, so the figure does not depend on
 * how often the test polls. Answers a function that waits for the mark and returns it.
 */
export async function markWhenLabelled(
  page: Page,
  mark: { key: string; rowText: string; pluginId: string; labelPrefix: string },
): Promise<(timeoutMs: number) => Promise<number>> {
  await page.evaluate((wanted) => {
    const scope = globalThis as unknown as PageGlobal;
    const marks = (scope.__networkLabelMarks ??= {});
    delete marks[wanted.key];
    const check = (): boolean => {
      for (const row of scope.document.querySelectorAll('[role="row"]')) {
        if (!(row.textContent ?? '').includes(wanted.rowText)) continue;
        const label = row.querySelector(`button[data-plugin="${wanted.pluginId}"]`)?.getAttribute('aria-label') ?? '';
        if (label.startsWith(wanted.labelPrefix)) return true;
      }
      return false;
    };
    if (check()) {
      marks[wanted.key] = Date.now();
      return;
    }
    const observer = new scope.MutationObserver(() => {
      if (!check()) return;
      marks[wanted.key] = Date.now();
      observer.disconnect();
    });
    observer.observe(scope.document, { subtree: true, childList: true, attributes: true, characterData: true });
  }, mark);
  return async (timeoutMs) => {
    const handle = await page.waitForFunction(
      (key) => (globalThis as unknown as PageGlobal).__networkLabelMarks?.[key],
      mark.key,
      { timeout: timeoutMs, polling: 50 },
    );
    const at = (await handle.jsonValue()) as number;
    await handle.dispose();
    return at;
  };
}
