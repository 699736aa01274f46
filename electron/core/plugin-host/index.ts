export { PluginHostError, PluginRequestError, type PluginHostErrorCode, type PluginRequestErrorCode } from './errors.js';
export { PluginHost, type CallOptions, type ContactsImport, type PluginHostOptions, type PluginHostStatus } from './plugin-host.js';
export { networkNamespaceAvailable, type NetworkIsolation } from './sandbox-process.js';
export { resolvePluginUrl, type UrlPolicy } from './url-policy.js';
export { PluginHosts, type PluginHostsOptions, type RunnablePlugin } from './plugin-hosts.js';
