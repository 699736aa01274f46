import { useT } from '../../i18n/i18n.js';
import { useOnboarding } from './onboarding-store.js';

/**
 * Only with the development outbox (the server serves `routes.devSms` only then): a person trying
 * Switchboard on their own machine has no phone network, so the code shows here, marked as such.
 */
export function DevSmsBanner() {
  const t = useT();
  const devCode = useOnboarding((state) => state.devCode);
  const e164 = useOnboarding((state) => state.e164);
  const step = useOnboarding((state) => state.step);
  if (devCode === undefined || step !== 'code') return null;
  return (
    <aside className="dev-banner" role="status" aria-label={t('onboarding.devBannerLabel')}>
      {devCode === '' ? t('onboarding.devBannerWaiting') : t('onboarding.devBanner', { phone: e164, code: devCode })}
    </aside>
  );
}
