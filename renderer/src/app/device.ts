import type { DeviceInput } from '#common/contract/identity.js';

// The device id is an identifier, not a secret (M2: the server decides per device whether it may sign
// in), so it lives in localStorage and survives the session.
const deviceKey = 'switchboard.deviceId';

function browserName(): string {
  const agent = navigator.userAgent;
  if (/Edg\//.test(agent)) return 'Edge';
  if (/Firefox\//.test(agent)) return 'Firefox';
  if (/Chrome\//.test(agent)) return 'Chrome';
  if (/Safari\//.test(agent)) return 'Safari';
  return 'browser';
}

export function thisDevice(): DeviceInput {
  let id: string | null = null;
  try {
    id = window.localStorage.getItem(deviceKey);
    if (id === null) {
      id = `web-${crypto.randomUUID()}`;
      window.localStorage.setItem(deviceKey, id);
    }
  } catch {
    id ??= `web-${crypto.randomUUID()}`;
  }
  return { id, name: `Switchboard web (${browserName()})`, platform: 'web' };
}
