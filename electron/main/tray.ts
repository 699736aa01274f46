import { app, Menu, nativeImage, Tray } from 'electron';
import { imStatuses } from '#common/contract/socket-events.js';
import type { DesktopCore } from '#core/app/index.js';
import { STATUS_LABELS, statusDotBitmap, trayTooltip, type ImStatus } from '#core/bridge-host/index.js';

/**
 * The tray: status dot, status choice (online, busy, away, invisible), show window, quit, and the
 * unread chat messages the window reports. My status is the core's (the Status screen changes the same
 * value through the bridge).
 */
export function createTray(core: DesktopCore, actions: { show(): void; quit(): void }): { refresh(): void; destroy(): void } {
  const icon = (status: ImStatus) => nativeImage.createFromBitmap(statusDotBitmap(status, 16), { width: 16, height: 16 });
  const tray = new Tray(icon(core.myStatus.get().status));
  const refresh = () => {
    const { status } = core.myStatus.get();
    const running = core.watcher.snapshot().map((app) => core.plugins().find((plugin) => plugin.id === app.plugin)?.manifest.name ?? app.plugin);
    const unread = core.signedIn() ? core.unreadMessages : 0;
    tray.setImage(icon(status));
    tray.setToolTip(trayTooltip(status, core.signedIn(), running, unread));
    // The dock (macOS) or launcher (Unity) count; the tray's title shows it beside the icon on macOS.
    app.setBadgeCount(unread);
    tray.setTitle(unread === 0 ? '' : String(unread));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: trayTooltip(status, core.signedIn(), running, unread), enabled: false },
        { type: 'separator' },
        ...imStatuses.map((choice) => ({
          label: STATUS_LABELS[choice],
          type: 'radio' as const,
          checked: choice === status,
          enabled: core.signedIn(),
          click: () => void core.myStatus.set({ status: choice }),
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
