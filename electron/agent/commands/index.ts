import type { Command } from './command.js';
import { agent } from './agent.js';
import { contactsImport } from './contacts-import.js';
import { contactsShow } from './contacts-show.js';
import { contactsSyncAccounts } from './contacts-sync-accounts.js';
import { identitiesList, identitiesRemove, identitiesSet } from './identities.js';
import { contactsUndo } from './contacts-undo.js';
import { login } from './login.js';
import { messages, send } from './messages.js';
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
  send,
  messages,
  contactsShow,
  identitiesSet,
  identitiesList,
  identitiesRemove,
  pluginsValidate,
];
