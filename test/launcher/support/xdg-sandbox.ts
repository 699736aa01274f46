import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireService } from '../../support/services.js';
import { tempDir } from '../../support/test-server.js';

const run = promisify(execFile);

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, binary)));
}

/** True when xdg-utils is installed; on a laptop a missing package skips, under CI it fails. */
export function xdgUtilsAvailable(): Promise<boolean> {
  return requireService('xdg-utils (xdg-mime, xdg-open; Debian: apt-get install xdg-utils)', async () =>
    process.platform === 'linux' && onPath('xdg-mime') && onPath('xdg-open'),
  );
}

export interface XdgSandbox {
  /** The environment under which xdg-mime and xdg-open see only this sandbox's handlers. */
  env: NodeJS.ProcessEnv;
  /** Installs a desktop file for `scheme` and makes it the default, the way a real app's package does. */
  registerHandler(scheme: string, desktopId?: string): Promise<void>;
  /** Every link a registered handler was started with, oldest first. */
  opened(): string[];
  /** Waits until a handler has received `count` links. */
  waitForOpened(count: number, timeoutMs?: number): Promise<string[]>;
  remove(): void;
}

/**
 * Private XDG data and config folders (user and system level), so the machine's own mimeapps.list and
 * desktop files never count. A registered handler is a tiny script that appends the link it was
 * given to a file: the test then sees exactly what xdg-open passed on.
 */
export function createXdgSandbox(): XdgSandbox {
  const root = tempDir('switchboard-xdg-');
  const dataHome = path.join(root, 'data');
  const applications = path.join(dataHome, 'applications');
  const record = path.join(root, 'opened.txt');
  const handlerScript = path.join(root, 'record-link.sh');
  for (const dir of [applications, path.join(root, 'config'), path.join(root, 'data-dirs'), path.join(root, 'config-dirs')]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.writeFileSync(handlerScript, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${record}'\n`, { mode: 0o755 });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_DATA_DIRS: path.join(root, 'data-dirs'),
    XDG_CONFIG_DIRS: path.join(root, 'config-dirs'),
    // xdg-open only consults desktop files when it believes a display exists; nothing is drawn.
    DISPLAY: ':99',
    // Without a registered handler xdg-open would try every browser it knows (Chromium is installed on CI).
    BROWSER: 'switchboard-test-no-browser',
  };

  const opened = () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\n').filter((line) => line !== '') : []);

  return {
    env,
    async registerHandler(scheme, desktopId = `${scheme}-handler.desktop`) {
      const desktopFile = ['[Desktop Entry]', 'Type=Application', `Name=${scheme} test handler`, `Exec=${handlerScript} %u`, `MimeType=x-scheme-handler/${scheme};`, 'NoDisplay=true', ''].join('\n');
      fs.writeFileSync(path.join(applications, desktopId), desktopFile);
      await run('xdg-mime', ['default', desktopId, `x-scheme-handler/${scheme}`], { env });
    },
    opened,
    async waitForOpened(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (opened().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} opened links, saw ${JSON.stringify(opened())}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return opened();
    },
    remove() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
