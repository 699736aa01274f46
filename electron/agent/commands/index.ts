import type { Command } from './command.js';
import { agent } from './agent.js';
import { contactsImport } from './contacts-import.js';
import { contactsSyncAccounts } from './contacts-sync-accounts.js';
import { contactsUndo } from './contacts-undo.js';
import { login } from './login.js';
import { pluginsValidate } from './plugins-validate.js';

/**
 * Every `switchboard` command. To add one, write commands/<name>.ts exporting a `Command` and add
 * it here; the CLI derives dispatch and usage from this list.
 */
export const commands: readonly Command[] = [
  login,
  agent,
  contactsImport,
  contactsUndo,
  contactsSyncAccounts,
  pluginsValidate,
];
