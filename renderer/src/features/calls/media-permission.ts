import { bridge } from '../../bridge/bridge.js';

/**
 * Tells the host that a call starts or ends. The desktop allows the microphone and camera to this window
 * only in between; a browser asks the person itself and ignores this.
 */
export async function callMediaActive(active: boolean): Promise<void> {
  try {
    await bridge().calls.setMediaActive({ active });
  } catch (error) {
    // An older desktop without the call: getUserMedia is then refused and the call screen says so.
    console.warn('the host did not take the call state', error);
  }
}
