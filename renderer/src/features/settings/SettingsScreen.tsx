import { useEffect, useState } from 'react';
import type { MeResponse } from '#common/contract/identity.js';
import { api } from '../../app/app-store.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { ChangeNumberPanel, DeleteAccountPanel, ExportPanel, PasswordPanel, SharedNowPanel } from './AccountPanels.js';
import { DevicesPanel } from './DevicesPanel.js';

/** Settings (issue 12 item 10): devices, password, number, what I share now, export, delete the account. */
export function SettingsScreen() {
  const t = useT();
  const [me, setMe] = useState<MeResponse | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const load = () => api().me().then(setMe, setError);
  useEffect(() => void load(), []);

  return (
    <div className="settings">
      <h1>{t('settings.heading')}</h1>
      {error !== undefined && <ErrorNotice error={error} />}
      <DevicesPanel />
      {me !== undefined && (
        <>
          <PasswordPanel me={me} onChanged={() => void load()} />
          <ChangeNumberPanel me={me} onChanged={setMe} />
        </>
      )}
      <SharedNowPanel />
      <ExportPanel />
      {me !== undefined && <DeleteAccountPanel me={me} />}
    </div>
  );
}
