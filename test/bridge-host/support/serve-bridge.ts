import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { BridgeHost } from '#core/bridge-host/index.js';
import type { UserGestureGate } from '#core/launcher/index.js';

let shimSource: Promise<string> | undefined;

/** The page shim as one browser script (esbuild, which tsx brings along). */
function bundledShim(): Promise<string> {
  shimSource ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./page-shim.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error('esbuild produced no shim');
    return output.text;
  })();
  return shimSource;
}

export interface ServedBridge {
  /** What Electron main does on a trusted input event, then the real click. */
  userClick(page: Page, selector: string): Promise<void>;
  /** Payloads pushed to pages, by channel. */
  pushed: { channel: string; payload: unknown }[];
  /** Calls that reached the host, in order (channel and the answer's ok/code). */
  calls: { channel: string; ok: boolean; code?: string }[];
  /** Every reply and pushed event as the page received it (JSON), to prove what never reaches a page. */
  replies: string[];
  stop(): void;
}

/**
 * Serves a bridge host to every page of a browser context the way Electron main serves it over IPC:
 * one binding carries each call with the calling frame (Playwright's `source`, as Electron's
 * `event.senderFrame`), and host events are delivered to every open page.
 */
export async function serveBridge(context: BrowserContext, host: BridgeHost, gestures: UserGestureGate): Promise<ServedBridge> {
  const pageIds = new WeakMap<Page, string>();
  let nextId = 0;
  const idOf = (page: Page) => {
    let id = pageIds.get(page);
    if (id === undefined) {
      id = `page-${++nextId}`;
      pageIds.set(page, id);
    }
    return id;
  };
  const calls: ServedBridge['calls'] = [];
  const pushed: ServedBridge['pushed'] = [];
  const replies: string[] = [];

  await context.exposeBinding('__switchboardInvoke', async (source, channel: unknown, args: unknown) => {
    const reply = await host.handle(String(channel), args, {
      source: idOf(source.page),
      senderUrl: source.frame.url(),
      isTopFrame: source.frame === source.page.mainFrame(),
    });
    calls.push({ channel: String(channel), ok: reply.ok, ...(reply.ok ? {} : { code: reply.error.code }) });
    replies.push(JSON.stringify(reply) ?? '');
    return reply;
  });
  await context.addInitScript({ content: await bundledShim() });

  const unsubscribe = host.onEvent((channel, payload) => {
    pushed.push({ channel, payload });
    replies.push(JSON.stringify(payload) ?? '');
    for (const page of context.pages()) {
      void page
        .evaluate(([name, value]) => (globalThis as { __switchboardDeliver?: (c: string, p: unknown) => void }).__switchboardDeliver?.(name, value), [channel, payload] as const)
        .catch(() => undefined);
    }
  });

  return {
    async userClick(page, selector) {
      gestures.recordInput(idOf(page));
      await page.click(selector);
    },
    pushed,
    calls,
    replies,
    stop: unsubscribe,
  };
}
