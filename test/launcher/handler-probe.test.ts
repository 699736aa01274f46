import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInjectedProbe, createXdgMimeProbe, parseXdgMimeDefault } from '#core/launcher/index.js';
import { tempDir } from '../support/test-server.js';
import { createXdgSandbox, xdgUtilsAvailable, type XdgSandbox } from './support/xdg-sandbox.js';

const available = await xdgUtilsAvailable();

/** A zombie counts as gone: where PID 1 does not reap orphans (containers), killed children linger as Z. */
function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe.skipIf(!available)('looking up URL handlers with the real xdg-mime', () => {
  let sandbox: XdgSandbox;
  beforeAll(() => {
    sandbox = createXdgSandbox();
  });
  afterAll(() => sandbox.remove());

  it('sees a made-up scheme only once a desktop file is the default for it', async () => {
    expect(await createXdgMimeProbe({ env: sandbox.env }).lookup('frobchat')).toEqual({ installed: false });
    await sandbox.registerHandler('frobchat', 'x.desktop');
    expect(await createXdgMimeProbe({ env: sandbox.env }).lookup('frobchat')).toEqual({ installed: true, handler: 'x.desktop' });
  });

  it('keeps an answer briefly, then asks again', async () => {
    let now = 0;
    const probe = createXdgMimeProbe({ env: sandbox.env, cacheMs: 10_000, now: () => now });
    expect(await probe.lookup('quuxchat')).toEqual({ installed: false });
    await sandbox.registerHandler('quuxchat');
    expect(await probe.lookup('quuxchat')).toEqual({ installed: false });
    now += 10_001;
    expect(await probe.lookup('quuxchat')).toEqual({ installed: true, handler: 'quuxchat-handler.desktop' });
  });

  it('never puts a malformed scheme on a command line', async () => {
    const probe = createXdgMimeProbe({ env: sandbox.env, command: '/nonexistent/should-not-run' });
    for (const scheme of ['', 'TG', 'tg; rm -rf /', '../x', 'a'.repeat(40), '-h']) {
      expect(await probe.lookup(scheme)).toMatchObject({ installed: false, problem: { code: 'invalid_scheme' } });
    }
  });

  it('reports a missing xdg-mime, a hung one (whose processes are killed) and nonsense output with codes', async () => {
    const dir = tempDir('switchboard-probe-');
    try {
      expect(await createXdgMimeProbe({ command: path.join(dir, 'missing') }).lookup('tg')).toMatchObject({ installed: false, problem: { code: 'probe_unavailable' } });

      const pidFile = path.join(dir, 'pid');
      const hung = path.join(dir, 'hung.sh');
      fs.writeFileSync(hung, `#!/bin/sh\nsleep 30 &\necho $! > '${pidFile}'\nwait\n`, { mode: 0o755 });
      const started = Date.now();
      expect(await createXdgMimeProbe({ command: hung, timeoutMs: 300 }).lookup('tg')).toMatchObject({ installed: false, problem: { code: 'probe_timeout' } });
      expect(Date.now() - started).toBeLessThan(3000);
      const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
      await expect.poll(() => processAlive(sleeper)).toBe(false);

      const chatty = path.join(dir, 'chatty.sh');
      fs.writeFileSync(chatty, '#!/bin/sh\necho "Usage: xdg-mime query default mimetype"\necho "try --help"\n', { mode: 0o755 });
      expect(await createXdgMimeProbe({ command: chatty }).lookup('tg')).toMatchObject({ installed: false, problem: { code: 'probe_output_invalid' } });

      const failing = path.join(dir, 'failing.sh');
      fs.writeFileSync(failing, '#!/bin/sh\necho "xdg-mime: broken" >&2\nexit 4\n', { mode: 0o755 });
      expect(await createXdgMimeProbe({ command: failing }).lookup('tg')).toEqual({ installed: false, problem: { code: 'probe_failed', message: 'xdg-mime exited with 4: xdg-mime: broken' } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading xdg-mime output', () => {
  it('accepts one desktop file id and nothing else', () => {
    expect(parseXdgMimeDefault('org.telegram.desktop.desktop\n')).toEqual({ installed: true, handler: 'org.telegram.desktop.desktop' });
    expect(parseXdgMimeDefault('\n')).toEqual({ installed: false });
    expect(parseXdgMimeDefault('a.desktop\nb.desktop\n')).toMatchObject({ installed: false, problem: { code: 'probe_output_invalid' } });
    expect(parseXdgMimeDefault('/usr/bin/telegram %u')).toMatchObject({ installed: false, problem: { code: 'probe_output_invalid' } });
  });
});

describe('the handler lookup Electron main injects on macOS and Windows', () => {
  it('turns a name into installed, an empty name into not installed, and failures into codes', async () => {
    const names: Record<string, string> = { tg: 'Telegram', slack: '' };
    const probe = createInjectedProbe((scheme) => names[scheme] ?? '');
    expect(await probe.lookup('tg')).toEqual({ installed: true, handler: 'Telegram' });
    expect(await probe.lookup('slack')).toEqual({ installed: false });
    expect(await createInjectedProbe(() => Promise.reject(new Error('registry unreadable'))).lookup('tg')).toEqual({
      installed: false,
      problem: { code: 'probe_failed', message: 'registry unreadable' },
    });
    const never = createInjectedProbe(() => new Promise<string>(() => undefined), { timeoutMs: 50 });
    expect(await never.lookup('tg')).toMatchObject({ installed: false, problem: { code: 'probe_timeout' } });
  });
});
