import { Menu, nativeImage, Tray } from 'electron';
import { imStatuses } from '../../common/contract/socket-events.js';
import { STATUS_LABELS, statusDotBitmap, trayTooltip } from '../core/bridge-host/index.js';
import type { Desktop } from './desktop.js';

/** The tray: status dot, status choice (online, busy, away, invisible), show window, quit. */
export function createTray(desktop: Desktop, actions: { show(): void; quit(): void }): { refresh(): void; destroy(): void } {
  const icon = (status: Desktop['state']['status']) => nativeImage.createFromBitmap(statusDotBitmap(status, 16), { width: 16, height: 16 });
  const tray = new Tray(icon(desktop.state.status));
  const refresh = () => {
    const status = desktop.state.status;
    const running = desktop.watcher.snapshot().map((app) => desktop.plugins().find((plugin) => plugin.id === app.plugin)?.manifest.name ?? app.plugin);
    tray.setImage(icon(status));
    tray.setToolTip(trayTooltip(status, desktop.signedIn(), running));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: trayTooltip(status, desktop.signedIn(), running), enabled: false },
        { type: 'separator' },
        ...imStatuses.map((choice) => ({
          label: STATUS_LABELS[choice],
          type: 'radio' as const,
          checked: choice === status,
          enabled: desktop.signedIn(),
          click: () => desktop.setStatus(choice),
        })),
        { type: 'separator' },
        { label: 'Open Switchboard', click: actions.show },
        { label: 'Quit', click: actions.quit },
      ]),
    );
  };
  tray.on('click', actions.show);
  refresh();
  return { refresh, destroy: () => tray.destroy() };
}
