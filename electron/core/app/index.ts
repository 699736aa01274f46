export { DesktopCore, InsecureServerError, type CoreLog, type DesktopCoreEvent, type DesktopCoreOptions, type DesktopShell } from './desktop-core.js';
export { createServerClients, type ServerClients } from './server-clients.js';
