// Runs sandboxed in the renderer's isolated world, bundled into one file (a sandboxed preload cannot
// load modules from disk). It exposes the bridge contract and nothing else: no ipcRenderer, no
// channel name the page could choose.
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopBridge } from '../../common/bridge/contract.js';
import { createDesktopBridge } from './desktop-bridge.js';

const bridge = createDesktopBridge(ipcRenderer) satisfies DesktopBridge;

contextBridge.exposeInMainWorld('switchboardDesktop', bridge);
