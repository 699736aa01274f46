// Runs sandboxed in the renderer's isolated world, bundled into one file (a sandboxed preload cannot
// load modules from disk). It exposes the bridge contract's port and nothing else: no ipcRenderer, no
// channel name the page could choose.
import { contextBridge, ipcRenderer } from 'electron';
import type { BridgePort } from '#common/bridge/contract.js';
import { createPreloadPort } from './desktop-bridge.js';

const port = createPreloadPort(ipcRenderer) satisfies BridgePort;

contextBridge.exposeInMainWorld('switchboardDesktop', port);
