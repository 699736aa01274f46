import type { KeyDeviceState } from '#common/contract/key-exchange.js';

export type DeviceKeyRecord = {
  userId: string;
  deviceId: string;
  /** From the devices table, as the user named the device when signing in. */
  name: string;
  platform: string;
  publicKey: string;
  state: KeyDeviceState;
  wrappedKey: string | null;
  wrappedBy: string | null;
  requestedAt: number;
};

export type RecoveryRecord = { wrappedKey: string; createdAt: number };

/** Device public keys, approvals with their wrapped book keys, and the recovery-wrapped key. Every call is scoped to one user. */
export interface KeyExchangeRepository {
  /**
   * Records this device's public key as pending; the same key of an already approved device keeps its
   * approval (a reload publishes again), and a new key drops whatever was wrapped for the old one.
   */
  publish(userId: string, deviceId: string, publicKey: string, now: number): Promise<DeviceKeyRecord>;
  list(userId: string): Promise<DeviceKeyRecord[]>;
  find(userId: string, deviceId: string): Promise<DeviceKeyRecord | undefined>;
  /** Stores the wrap only while the device still has `publicKey`; false when it changed or is gone. */
  approve(userId: string, deviceId: string, publicKey: string, wrappedKey: string, wrappedBy: string, now: number): Promise<boolean>;
  reject(userId: string, deviceId: string, now: number): Promise<boolean>;
  recovery(userId: string): Promise<RecoveryRecord | undefined>;
  /** Without `replace`, stores only when the user has none yet (false when one exists). */
  saveRecovery(userId: string, wrappedKey: string, now: number, replace: boolean): Promise<boolean>;
}
