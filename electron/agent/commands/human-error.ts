// What the command line says when something fails: English sentences saying what happened and what to
// do, never a machine code, a variable name or the server's developer text. The words are the app's own
// (common/i18n/errors.en.ts), with terminal wording where the app's point at a page or a screen.
import { AddressBookError } from '#common/address-book/index.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { errorMessagesEn, type ErrorMessageKey } from '#common/i18n/errors.en.js';
import type { PhoneParseFailure } from '#common/phone/phone.js';
import { PluginHostError } from '#core/plugin-host/errors.js';
import { keychainUnavailableMessage, VaultError } from '#core/vault/index.js';

/** Where the app says "reload the page" or "shown", the terminal's next step. */
const terminalWording: Partial<Record<ErrorMessageKey, string>> = {
  'error.unauthorized': 'Your session has ended. Sign in again with `switchboard login`.',
  'error.network_unreachable': 'The server cannot be reached. Check your connection and the server address, then try again.',
  'error.invalid_response': 'The server answered in a way this version of Switchboard does not understand. Update Switchboard, then try again.',
  'error.client_error': 'Something went wrong in Switchboard. Try again; if it keeps happening, report it with the command you ran.',
  'error.invalid_json': 'The server could not read what Switchboard sent. Update Switchboard, then try again.',
  'error.not_found': 'That is no longer there, or you cannot see it.',
  'error.method_not_allowed': 'The server does not support this action. Update Switchboard, or ask the administrator of the server.',
  'error.version_conflict': 'This changed on another device meanwhile. Run the command again to work on the latest version.',
  'error.csrf_failed': 'The server refused a request that did not prove where it came from. Update Switchboard, then try again.',
  'error.validation_failed': 'The server did not accept what was sent. Check the values you gave, then try again.',
};

/** Failures that only the command line meets: the plugin sandbox, the keychain's own checks. */
const commandLineWording: Record<string, string> = {
  plugin_load_failed: 'The network\'s plugin could not be started. Check it with `switchboard plugins validate`.',
  plugin_timeout: 'The network\'s plugin took too long to answer. Try again later.',
  plugin_crashed: 'The network\'s plugin stopped unexpectedly. Try again; if it keeps happening, update the plugin.',
  plugin_crash_loop: 'The network\'s plugin keeps stopping, so it is paused for a while. Try again in a few minutes.',
  plugin_protocol_error: 'The network\'s plugin answered in a way Switchboard does not understand. Update the plugin.',
  plugin_error: 'The network refused or failed the request. Try again later; if it keeps happening, bind the account again.',
  host_stopped: 'Switchboard was stopping while the network was asked. Run the command again.',
  invalid_argument: 'Switchboard asked the network\'s plugin something it cannot take. Update Switchboard and the plugin.',
  invalid_account: 'Switchboard tried to use the keychain in a way it does not allow. Update Switchboard.',
  invalid_secret: 'What is stored in the keychain for Switchboard is damaged. Sign in again with `switchboard login`.',
};

/** Why a phone number on the command line was not taken. */
export const phoneProblem: Record<PhoneParseFailure, string> = {
  empty: 'no number was given',
  region_required: 'a number without a country code needs --region (for example --region CN), or write it as +86...',
  unknown_region: 'that region is not known; use a two-letter country code such as CN or US',
  not_a_number: 'that is not a phone number',
  invalid_number: 'that number does not exist; check the digits',
};

/** The code of a failure this command line knows, if it carries one. */
function codeOf(error: unknown): string | undefined {
  if (error instanceof ApiFailure || error instanceof VaultError || error instanceof AddressBookError) return error.code;
  if (error instanceof PluginHostError) return error.pluginCode === 'unauthorized' ? 'not_bound' : error.code;
  return undefined;
}

/** A network account's failed import (a plugin's failure, passed on as data). */
export function wordsForPluginFailure(failure: { code: string; pluginCode?: string }): string {
  return wordsForCode(failure.pluginCode === 'unauthorized' ? 'not_bound' : failure.code);
}

/** The English words for an error code, with {network} and {seconds} filled in. */
export function wordsForCode(code: string, params: { network?: string; seconds?: number } = {}, serverSide = false): string {
  const key = `error.${code}`;
  const text =
    terminalWording[key as ErrorMessageKey] ??
    (key in errorMessagesEn ? errorMessagesEn[key as ErrorMessageKey] : undefined) ??
    commandLineWording[code] ??
    errorMessagesEn[serverSide ? 'error.internal_error' : 'error.client_error'];
  return text.replace(/\{network\}/g, params.network ?? 'The network').replace(/\{seconds\}/g, String(params.seconds ?? 'a few'));
}

/**
 * A failure as a person reads it. Failures with a code get the words for it; an error from reading a
 * local file says which trouble it was; anything else gets the general sentence.
 */
export function humanError(error: unknown, params: { network?: string } = {}): string {
  // On a terminal the keychain's own advice helps most: which keychain, and how to get one headless.
  if (error instanceof VaultError && error.code === 'keychain_unavailable') return `The keychain cannot be opened: ${keychainUnavailableMessage()}.`;
  const code = codeOf(error);
  if (code !== undefined) {
    const retryAfter = error instanceof ApiFailure && typeof error.details.retryAfter === 'number' ? error.details.retryAfter : undefined;
    return wordsForCode(code, { ...params, ...(retryAfter === undefined ? {} : { seconds: retryAfter }) }, error instanceof ApiFailure && error.status >= 500);
  }
  const fileTrouble = fileProblem(error);
  if (fileTrouble !== undefined) return fileTrouble;
  return wordsForCode('client_error');
}

/** A local file that could not be read: what the operating system said, in words. */
export function fileProblem(error: unknown): string | undefined {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  switch (code) {
    case 'ENOENT':
      return 'There is no such file. Check the name and the folder.';
    case 'EACCES':
    case 'EPERM':
      return 'You are not allowed to read this file. Check its permissions.';
    case 'EISDIR':
      return 'That is a folder, not a file. Name a file inside it.';
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open right now. Close some programs, then try again.';
    default:
      return undefined;
  }
}
