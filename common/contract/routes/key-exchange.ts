import { z } from 'zod';
import { defineRoutes } from '../route.js';
import {
  approveDeviceRequest,
  deviceBookKeyResponse,
  keyDeviceView,
  publishDeviceKeyRequest,
  recoveryResponse,
  saveRecoveryRequest,
} from '../key-exchange.js';

const tag = 'key-exchange';
const deviceParams = z.object({ deviceId: z.string().min(1).max(128) });

/** The address-book key between the user's own devices: public keys, approvals, wrapped keys, recovery. */
export const keyExchangeRoutes = defineRoutes({
  publishDeviceKey: {
    method: 'put',
    path: '/v1/me/key-exchange/device',
    auth: 'session',
    tag,
    summary: "Publishes this device's public key and asks the user's other devices for the book key.",
    body: publishDeviceKeyRequest,
    response: { kind: 'json', status: 200, schema: keyDeviceView, description: 'This device as the others see it.' },
    errors: [],
  },
  keyDevices: {
    method: 'get',
    path: '/v1/me/key-exchange/devices',
    auth: 'session',
    tag,
    summary: 'My devices that published a key: pending, approved or rejected.',
    response: { kind: 'json', status: 200, schema: z.array(keyDeviceView), description: 'Oldest first.' },
    errors: [],
  },
  approveDevice: {
    method: 'put',
    path: '/v1/me/key-exchange/devices/:deviceId/approval',
    auth: 'session',
    tag,
    summary: 'Approves one of my devices: stores the book key wrapped for it (this device may approve itself).',
    params: deviceParams,
    body: approveDeviceRequest,
    response: { kind: 'json', status: 200, schema: keyDeviceView, description: 'The approved device.' },
    errors: ['not_found', 'forbidden', 'key_changed'],
  },
  rejectDevice: {
    method: 'delete',
    path: '/v1/me/key-exchange/devices/:deviceId/approval',
    auth: 'session',
    tag,
    summary: 'Rejects (or takes back) the book key of one of my devices.',
    params: deviceParams,
    response: { kind: 'empty', status: 204, description: 'Rejected.' },
    errors: ['not_found'],
  },
  deviceBookKey: {
    method: 'get',
    path: '/v1/me/key-exchange/device/book-key',
    auth: 'session',
    tag,
    summary: 'The book key wrapped for this device, once another device approved it.',
    response: { kind: 'json', status: 200, schema: deviceBookKeyResponse, description: 'The wrap and who made it.' },
    errors: ['not_found'],
  },
  saveRecovery: {
    method: 'put',
    path: '/v1/me/key-exchange/recovery',
    auth: 'session',
    tag,
    summary: 'Stores the book key wrapped with the recovery key (only ciphertext).',
    body: saveRecoveryRequest,
    response: { kind: 'json', status: 200, schema: recoveryResponse, description: 'What is stored now.' },
    errors: ['recovery_exists', 'forbidden'],
  },
  recovery: {
    method: 'get',
    path: '/v1/me/key-exchange/recovery',
    auth: 'session',
    tag,
    summary: 'The recovery-wrapped book key, to open with the recovery key on a new device.',
    response: { kind: 'json', status: 200, schema: recoveryResponse, description: 'The stored wrap.' },
    errors: ['not_found'],
  },
});
