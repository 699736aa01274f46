import type { z } from 'zod';
import type { approveDeviceRequest, DeviceBookKeyResponse, KeyDeviceView, RecoveryResponse, saveRecoveryRequest } from '#common/contract/key-exchange.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import type { DomainEvents } from '../../platform/domain-events.js';
import type { DeviceKeyRecord, KeyExchangeRepository } from './key-exchange.repository.js';

/** Who is asking: the user and the device of their session. */
export type KeyExchangeCaller = { userId: string; deviceId: string; sessionId: string };

/**
 * The book key between a user's own devices. The server only relays: it checks that every device named
 * belongs to the caller, that only a device holding the key approves another, and that an approval is for
 * the very public key the approver compared codes with. It never sees the book key itself.
 */
export class KeyExchangeService {
  constructor(private readonly deps: { repo: KeyExchangeRepository; events: DomainEvents; clock: Clock }) {}

  private view(record: DeviceKeyRecord, caller: KeyExchangeCaller): KeyDeviceView {
    return {
      deviceId: record.deviceId,
      name: record.name,
      platform: record.platform,
      publicKey: record.publicKey,
      state: record.state,
      current: record.deviceId === caller.deviceId,
      requestedAt: new Date(record.requestedAt).toISOString(),
    };
  }

  async publish(caller: KeyExchangeCaller, publicKey: string): Promise<KeyDeviceView> {
    const record = await this.deps.repo.publish(caller.userId, caller.deviceId, publicKey, this.deps.clock.now());
    if (record.state === 'pending') {
      this.deps.events.emit('keyExchangePending', { userId: caller.userId, sessionId: caller.sessionId, deviceId: record.deviceId, name: record.name, platform: record.platform });
    }
    return this.view(record, caller);
  }

  async devices(caller: KeyExchangeCaller): Promise<KeyDeviceView[]> {
    return (await this.deps.repo.list(caller.userId)).map((record) => this.view(record, caller));
  }

  /** A device of someone else answers exactly like a device that does not exist. */
  private async ownDevice(caller: KeyExchangeCaller, deviceId: string): Promise<DeviceKeyRecord> {
    const record = await this.deps.repo.find(caller.userId, deviceId);
    if (record === undefined) throw new ApiError(404, 'not_found', 'none of your devices asked for the key under this id');
    return record;
  }

  private async callerHoldsKey(caller: KeyExchangeCaller): Promise<boolean> {
    return (await this.deps.repo.find(caller.userId, caller.deviceId))?.state === 'approved';
  }

  async approve(caller: KeyExchangeCaller, deviceId: string, request: z.output<typeof approveDeviceRequest>): Promise<KeyDeviceView> {
    await this.ownDevice(caller, deviceId);
    // A device approves itself when it made the book key or restored it; any other approval comes from a holder.
    if (deviceId !== caller.deviceId && !(await this.callerHoldsKey(caller))) {
      throw new ApiError(403, 'forbidden', 'only a device that holds the book key can approve another');
    }
    const approved = await this.deps.repo.approve(caller.userId, deviceId, request.publicKey, request.wrappedKey, caller.deviceId, this.deps.clock.now());
    if (!approved) throw new ApiError(409, 'key_changed', 'the device published another key since: compare the new code');
    if (deviceId !== caller.deviceId) this.deps.events.emit('keyExchangeAnswered', { userId: caller.userId, deviceId, state: 'approved' });
    return this.view(await this.ownDevice(caller, deviceId), caller);
  }

  async reject(caller: KeyExchangeCaller, deviceId: string): Promise<void> {
    await this.ownDevice(caller, deviceId);
    await this.deps.repo.reject(caller.userId, deviceId, this.deps.clock.now());
    this.deps.events.emit('keyExchangeAnswered', { userId: caller.userId, deviceId, state: 'rejected' });
  }

  /**
   * A device signed out or blocked from another one loses its wrapped key: signing in again under the same
   * id takes a new approval. (It may have kept the book key itself; only a rotation would take that back.)
   */
  async forgetDevice(userId: string, deviceId: string): Promise<void> {
    if (await this.deps.repo.reject(userId, deviceId, this.deps.clock.now())) {
      this.deps.events.emit('keyExchangeAnswered', { userId, deviceId, state: 'rejected' });
    }
  }

  async bookKey(caller: KeyExchangeCaller): Promise<DeviceBookKeyResponse> {
    const record = await this.deps.repo.find(caller.userId, caller.deviceId);
    if (record?.state !== 'approved' || record.wrappedKey === null || record.wrappedBy === null) {
      throw new ApiError(404, 'not_found', 'no device approved this one yet');
    }
    return { wrappedKey: record.wrappedKey, fromDeviceId: record.wrappedBy };
  }

  async recovery(caller: KeyExchangeCaller): Promise<RecoveryResponse> {
    const record = await this.deps.repo.recovery(caller.userId);
    if (record === undefined) throw new ApiError(404, 'not_found', 'no recovery key was set up');
    return { wrappedKey: record.wrappedKey, createdAt: new Date(record.createdAt).toISOString() };
  }

  /**
   * The first recovery wrap marks that a book key exists: a second device making its own key at the same
   * time is refused and asks for approval instead. Replacing it takes a device that holds the key.
   */
  async saveRecovery(caller: KeyExchangeCaller, request: z.output<typeof saveRecoveryRequest>): Promise<RecoveryResponse> {
    if (request.replace && !(await this.callerHoldsKey(caller))) throw new ApiError(403, 'forbidden', 'only a device that holds the book key can replace the recovery key');
    const saved = await this.deps.repo.saveRecovery(caller.userId, request.wrappedKey, this.deps.clock.now(), request.replace);
    if (!saved) throw new ApiError(409, 'recovery_exists', 'a book key already exists for this account: approve this device from another one');
    return this.recovery(caller);
  }
}
