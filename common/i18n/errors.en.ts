/**
 * What each error code means to a person, and what to do next. Every code the server or a client part
 * may answer with has an entry (a test checks this against the contract's list); parameters are
 * optional: {network} names the network, {seconds} the wait the server asked for. In common/ because
 * two clients say them: the app (its English catalogue, beside the Chinese one in renderer/src/i18n) and
 * the command line.
 */
export const errorMessagesEn = {
  // Server codes (the contract's list).
  'error.invalid_request': 'The app sent something the server could not understand. Check what you entered, then try again.',
  'error.not_bound': 'This account is not connected on this server. Bind it again in Accounts.',
  'error.unsupported_media_type': 'The app sent data in a form the server does not take. Update the app, then try again.',
  'error.too_many_connections': 'Too many windows or devices are connected at once. Close one, then try again.',
  'error.not_a_user': 'This number is not on Switchboard yet. Send it as an SMS instead, or invite them.',
  'error.blocked': 'This message cannot be delivered to this person.',
  'error.sms_opted_out': 'This number asked not to receive SMS from Switchboard, so the message was not sent.',
  'error.rate_limited': 'You are sending very fast. Wait a moment, then try again.',
  'error.not_a_member': 'You are not in this conversation any more.',
  'error.not_a_contact': 'Only your contacts can be added to a group. Add their number to your contacts first.',
  'error.unsupported_type': 'This kind of file cannot be sent. Send a picture, a PDF, a ZIP file or text.',
  'error.validation_failed': 'Something in the form is not in the expected shape. Check what you typed and try again.',
  'error.invalid_json': 'The app sent a request the server could not read. Reload the page and try again.',
  'error.payload_too_large': 'That is more than the server accepts at once. Try a smaller file or fewer entries.',
  'error.not_found': 'That is no longer there. Reload the page to see the current state.',
  'error.method_not_allowed': 'The server does not support this action. Reload the page; if it keeps happening, update the app.',
  'error.unauthorized': 'Your session has ended. Sign in again to continue.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.csrf_failed': 'This page could not prove it is the Switchboard page. Reload it and try again.',
  'error.confirmation_required': 'Confirm with your password or a fresh code from an SMS, then try again.',
  'error.invalid_phone': 'That does not look like a valid phone number. Check the country and the number.',
  'error.invalid_code': 'That code is not right. Check the SMS and type the six digits again.',
  'error.too_many_attempts': 'Too many wrong codes for this number. Ask for a new code to try again.',
  'error.too_many_requests': 'Too many tries in a short time. Wait a moment, then try again.',
  'error.resend_too_soon': 'A code was sent a moment ago. Wait a little before asking for another one.',
  'error.expired': 'This code has expired. Ask for a new one.',
  'error.invalid_ticket': 'This sign-in step took too long. Start again with your phone number.',
  'error.invalid_credentials': 'The number or the password is not right. Try again, or sign in with an SMS code.',
  'error.device_blocked': 'This device was signed out and blocked from your other device. Unblock it there to use it again.',
  'error.phone_in_use': 'This number already belongs to another account.',
  'error.phone_not_found': 'This number is not linked to your account.',
  'error.cannot_remove_primary': 'This is your main number. Make another number the main one first.',
  'error.version_conflict': 'This changed on another device meanwhile. Reload to see the latest version, then try again.',
  'error.oauth_not_supported': '{network} cannot be bound by signing in on its site. Bind it with a password, if offered.',
  'error.oauth_not_configured':
    'This server has not set up signing in with {network}. You can bind it with a password where offered, or ask the administrator of this server to set it up.',
  'error.instance_required': 'Type the server your {network} account is on, such as mastodon.social.',
  'error.invalid_state': 'This sign-in link is no longer valid. Start binding again.',
  'error.handoff_not_found': 'Binding took too long to finish. Start again.',
  'error.access_denied': 'Binding was cancelled on the other site. Start again if you want to bind.',
  'error.provider_error': 'The other network did not answer as expected. Try again later.',
  'error.keychain_unavailable': 'This computer\'s keychain cannot be opened. Unlock it (or sign in to your desktop session again) and retry.',
  'error.key_changed': 'That device started over while you were approving it. Compare the new code and approve again.',
  'error.recovery_exists': 'Another of your devices already set up encrypted contact names. Approve this device from there, or use your recovery key.',
  'error.unknown_attachment': 'That picture is no longer available. Upload it again.',
  'error.not_a_picture': 'Only pictures can go in posts, albums and your profile photo. Choose a PNG, JPEG, GIF or WebP picture.',
  'error.limit_reached': 'This is full. Remove something first, then try again.',
  'error.not_implemented': 'This server does not offer that yet.',
  'error.unavailable': 'This is not available right now. Try again in a few minutes.',
  'error.internal_error': 'Something went wrong on the server. Try again; if it keeps happening, tell the administrator of this server.',

  // Client-side codes: the connection, answers, local files.
  'error.network_unreachable': 'The server cannot be reached. Check your connection; what this device knows is still shown.',
  'error.invalid_response': 'The server answered in a way this app does not understand. Reload the page; the app may need an update.',
  'error.client_error': 'Something went wrong in the app. Reload the page and try again.',
  'error.launch_failed': 'That app could not be opened. Check that it is installed, then try again.',
  'error.unsupported_format': 'This file format cannot be read. Export your contacts as vCard (.vcf) or CSV and import that file.',
  'error.unrecognised_format': 'This file does not look like an address book. Choose a vCard (.vcf), CSV, TXT or XLSX file.',
  'error.empty_file': 'The file is empty. Export your contacts again and choose the new file.',
  'error.corrupt_file': 'The file is damaged and cannot be opened. Export your contacts again.',
  'error.too_large': 'That file is larger than allowed. Split an address book into smaller files; for a message, send a smaller file.',
  'error.unknown_encoding': 'This text encoding is not known. Choose one of the encodings offered and try again.',
  'error.book_too_large': 'With this file your address book would hold more than the 20,000 contacts the server keeps. Nothing was changed. Split the file and import the contacts you need, or replace your book with a smaller file.',
  'error.unknown_region': 'The country for national numbers is not known. Choose your country and try again.',
  'error.aborted': 'The import was cancelled. Nothing was changed.',
  'error.parse_failed': 'The file could not be read. Export your contacts again, or try another format.',
} as const;

export type ErrorMessageKey = keyof typeof errorMessagesEn;
