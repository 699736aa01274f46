import { z } from 'zod';

/**
 * Handing the user's address-book key between their own devices (end to end: the server relays public
 * keys and wrapped keys it cannot open). A new device publishes its ECDH public key; a device that holds
 * the book key approves it by wrapping the key for it, after the person compared the 6-digit code both
 * screens show; or the device restores the key with the recovery key (the server keeps it wrapped).
 */
const base64Url = /^[A-Za-z0-9_-]+$/;

/** An uncompressed P-256 point (65 bytes) in base64url. */
export const devicePublicKeySchema = z.string().length(87).regex(base64Url, 'base64url');
/** A wrapped book key: version, IV, 32 key bytes and a tag (and a salt for the recovery wrap). */
export const wrappedBookKeySchema = z.string().min(16).max(256).regex(base64Url, 'base64url');

export const keyDeviceStates = ['pending', 'approved', 'rejected'] as const;
export type KeyDeviceState = (typeof keyDeviceStates)[number];

export const keyDeviceView = z.object({
  deviceId: z.string(),
  name: z.string(),
  platform: z.string(),
  publicKey: devicePublicKeySchema,
  /** `approved`: the device holds the book key. */
  state: z.enum(keyDeviceStates),
  /** The device of the session asking. */
  current: z.boolean(),
  requestedAt: z.string(),
});
export type KeyDeviceView = z.infer<typeof keyDeviceView>;

export const publishDeviceKeyRequest = z.object({ publicKey: devicePublicKeySchema });

export const approveDeviceRequest = z.object({
  /** The key the approver compared codes with: an approval for a key replaced meanwhile is refused. */
  publicKey: devicePublicKeySchema,
  wrappedKey: wrappedBookKeySchema,
});

export const deviceBookKeyResponse = z.object({
  wrappedKey: wrappedBookKeySchema,
  /**
   * The device that wrapped it. Its public key is deliberately not repeated here: the receiving device
   * uses the key it showed the code for, so a key swapped by the server cannot be slipped in now.
   */
  fromDeviceId: z.string(),
});
export type DeviceBookKeyResponse = z.infer<typeof deviceBookKeyResponse>;

export const saveRecoveryRequest = z.object({
  wrappedKey: wrappedBookKeySchema,
  /** Replace an existing recovery key (a new one was made); without it a second book key is refused. */
  replace: z.boolean().default(false),
});

export const recoveryResponse = z.object({ wrappedKey: wrappedBookKeySchema, createdAt: z.string() });
export type RecoveryResponse = z.infer<typeof recoveryResponse>;
