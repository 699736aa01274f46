export * from './contract.js';
export { createIpcBridge, serveBridgeCall, channelOf } from './ipc.js';
export { WebBridge, webCapabilities, summarisePlugin, type BundledPlugin, type KeyValueStore, type WebHost } from './web-bridge.js';
