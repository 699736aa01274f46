export { accountIdFor, createAccounts, type Accounts, type AccountsDeps, type BoundCredential } from './accounts.js';
export { startLoopbackReceiver, type HandoffReceiver } from './loopback.js';
export { AccountsApi, AccountsError, type AccountsErrorCode } from './server-api.js';
