import { useEffect, useState } from 'react';
import type { DeviceView } from '#common/contract/identity.js';
import { api } from '../../app/app-store.js';
import { useLanguage, useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';

type Device = DeviceView;

/** Every device of the account (M2): this one marked, flagged ones called out, each signed out, blocked or trusted here. */
export function DevicesPanel() {
  const t = useT();
  const language = useLanguage((state) => state.language);
  const [devices, setDevices] = useState<Device[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = () =>
    api()
      .devices()
      .then((list) => {
        setDevices(list);
        setError(undefined);
      }, setError);
  useEffect(() => void load(), []);

  async function act(action: () => Promise<unknown>): Promise<void> {
    setError(undefined);
    try {
      await action();
      await load();
    } catch (failure) {
      setError(failure);
    }
  }

  const seen = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section aria-labelledby="devices-heading" className="settings-section">
      <h2 id="devices-heading">{t('settings.devices.heading')}</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      {devices === undefined ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <ul className="device-list">
          {devices.map((device) => (
            <li key={device.id} className="device" data-testid="device">
              <div className="device-text">
                <strong>{device.name}</strong>
                {device.current && <span className="badge">{t('settings.devices.thisDevice')}</span>}
                {device.flagged && <span className="badge badge-warning">{t('settings.devices.flagged')}</span>}
                {device.blocked && <span className="badge">{t('settings.devices.blocked')}</span>}
                <span className="muted small">
                  {t('settings.devices.platform', { platform: device.platform })} · {t('settings.devices.lastSeen', { time: seen.format(new Date(device.lastSeenAt)) })}
                </span>
              </div>
              <div className="device-actions">
                {device.flagged && (
                  <button type="button" onClick={() => void act(() => api().updateDevice(device.id, { trusted: true }))}>
                    {t('settings.devices.trust')}
                  </button>
                )}
                {!device.current && device.signedIn && !device.blocked && (
                  <button type="button" onClick={() => void act(() => api().signOutDevice(device.id))}>
                    {t('settings.devices.signOut')}
                  </button>
                )}
                {!device.current && (
                  <button type="button" className={device.blocked ? '' : 'danger'} onClick={() => void act(() => api().updateDevice(device.id, { blocked: !device.blocked }))}>
                    {device.blocked ? t('settings.devices.unblock') : t('settings.devices.block')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
