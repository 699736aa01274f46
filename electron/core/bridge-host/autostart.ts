import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Linux has no `app.setLoginItemSettings`; the freedesktop way is a desktop file in the user's
 * autostart folder. `--hidden` starts the app in the tray without a window.
 */
export function linuxAutostartFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'autostart', 'switchboard.desktop');
}

/** Desktop Exec quoting: a path with spaces or quotes stays one argument. */
function quoteExec(argument: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(argument) ? argument : `"${argument.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function setLinuxAutostart(enabled: boolean, command: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): void {
  const file = linuxAutostartFile(env);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  const entry = [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Switchboard',
    `Exec=${[...command, '--hidden'].map(quoteExec).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=false',
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, entry, { mode: 0o644 });
}
