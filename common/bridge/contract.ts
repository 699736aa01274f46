import { z } from 'zod';
import type { BoundContact } from '../address-book/merge-people.js';
import { boundAccount, type BoundAccount } from '../contract/accounts.js';
import { deviceSchema } from '../contract/identity.js';
import { imStatuses } from '../contract/socket-events.js';
import { type ContactIdentity, IDENTITY_FIELD_NAME_REGEX, IDENTITY_VALUE_MAX_LENGTH } from '../plugin-manifest/identity.js';
import { LABEL_LANGUAGES } from '../plugin-manifest/identity-fields.js';
import { pluginIdSchema } from '../plugin-manifest/plugin-id.js';
import { CAPABILITIES, LAUNCH_KINDS } from '../plugin-manifest/schema.js';

export * from './errors.js';

/**
 * The one contract between the renderer (React UI) and whatever hosts it: the Electron main process
 * (through the preload) on the desktop, or `WebBridge` in a browser. Every call's arguments and result
 * have a zod schema here, so the preload and main process can validate what crosses the process
 * boundary, and the IPC channel names are defined here only.
 */

/** What the host can do; the UI hides what is false instead of failing on use. */
export const bridgeCapabilities = z.object({
  /** The host watches running apps and reports them (desktop only). */
  watcher: z.boolean(),
  /** The session token lives in the OS keychain rather than in browser storage. */
  keychain: z.boolean(),
  /** Native deep links (slack://, tg://) can be opened; otherwise only https web links. */
  nativeLaunch: z.boolean(),
  /** A native file dialog backs `import.pickFile`; otherwise the UI shows a file input. */
  nativeFilePicker: z.boolean(),
  notifications: z.boolean(),
  startAtLogin: z.boolean(),
  /**
   * The host binds network accounts itself, credentials in the OS keychain (`accounts.*`): password
   * binding, OAuth through the system browser, and opening a password network logged in, in a window
   * of its own. A browser tab can do none of this.
   */
  accountBinding: z.boolean(),
});
export type BridgeCapabilities = z.infer<typeof bridgeCapabilities>;

export const appInfo = z.object({
  kind: z.enum(['desktop', 'web']),
  /** `process.platform` on the desktop, `web` in a browser. */
  platform: z.enum(['linux', 'darwin', 'win32', 'web']),
  version: z.string(),
  /** Base URL of the aggregator server the UI talks to (the page's own origin on the web). */
  serverUrl: z.string().url(),
  capabilities: bridgeCapabilities,
});
export type AppInfo = z.infer<typeof appInfo>;

/**
 * A sign-in the desktop core makes itself, so the new session's token goes from the server straight to
 * the keychain and never through the window: with a ticket from a checked SMS code, or with a password.
 */
export const coreSignInRequest = z.union([
  z.object({ ticket: z.string().min(1).max(256), device: deviceSchema }),
  z.object({ phone: z.string().min(1).max(32), password: z.string().min(1).max(1024), device: deviceSchema }),
]);
export type CoreSignInRequest = z.infer<typeof coreSignInRequest>;

export const storedSession = z.object({
  /**
   * The credential the renderer sends as a bearer token: on the desktop a short-lived delegation the core
   * renews (the session's own token stays in the core and the keychain); absent on the web, where the
   * browser holds the session in an HttpOnly cookie.
   */
  token: z.string().min(1).optional(),
  userId: z.string().uuid(),
  phone: z.string(),
});
export type StoredSession = z.infer<typeof storedSession>;

/** The signed-in session as the window holds it (a delegated credential), and whether the account is new. */
export const coreSignInResult = z.object({ session: storedSession, created: z.boolean() });
export type CoreSignInResult = z.infer<typeof coreSignInResult>;

export const runningApp = z.object({ plugin: z.string(), since: z.string() });
export const watcherStatus = z.object({
  running: z.boolean(),
  apps: z.array(runningApp),
  /** ISO time of the last scan; null before the first one. */
  lastScanAt: z.string().nullable(),
});
export type WatcherStatus = z.infer<typeof watcherStatus>;

/**
 * A contact as the launcher sees it on one network: `phone` (E.164) and the fields that network's
 * manifest declares (what the contact published, e.g. `{ team, id }` for Slack).
 */
export const contactIdentity = z
  .record(z.string().regex(IDENTITY_FIELD_NAME_REGEX), z.string().max(IDENTITY_VALUE_MAX_LENGTH))
  .refine((fields) => Object.keys(fields).length <= 16, { message: 'at most 16 identity fields' }) satisfies z.ZodType<ContactIdentity>;

export const launchRequest = z.object({ pluginId: pluginIdSchema, identity: contactIdentity });
export type LaunchRequest = z.infer<typeof launchRequest>;

/**
 * A click's outcome. `reaches` says whether the link lands at the person (a chat or profile) or only
 * opens the app or site. `copied` is there for networks without a chat link: the contact's handle
 * went on the clipboard (`done`), or could not (`done: false`, so the UI shows the value instead).
 * Failures carry a code the UI turns into a sentence; `missing_identity` means the contact has not
 * published the fields in `missing`, and the UI suggests asking them.
 */
export const launchResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    kind: z.enum(LAUNCH_KINDS),
    url: z.string(),
    reaches: z.enum(['contact', 'app']),
    copied: z.object({ field: z.string(), value: z.string(), done: z.boolean() }).optional(),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), missing: z.array(z.string()).optional() }),
]);
export type LaunchResult = z.infer<typeof launchResult>;

/** A declared identity field as the UI needs it: to name it in a sentence and to hint its format. */
export const identityFieldSummary = z.object({
  name: z.string(),
  label: z.record(z.enum(LABEL_LANGUAGES), z.string()),
  example: z.string(),
  /** The manifest's format, so that a form checks what a person types before sending it (validateIdentity). */
  pattern: z.string().optional(),
  maxLength: z.number().int().positive().optional(),
});
export type IdentityFieldSummary = z.infer<typeof identityFieldSummary>;

export const pluginSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** The name in other languages, by language tag (the manifest's `names`). */
  names: z.record(z.string(), z.string()).optional(),
  version: z.string(),
  /** A URL the renderer can put in `<img src>`: a bundled asset on the web, a custom protocol on the desktop. */
  iconUrl: z.string(),
  capabilities: z.array(z.enum(CAPABILITIES)),
  auth: z.enum(['oauth2', 'password', 'none']),
  /** Which link kinds the manifest has, so the UI can say "opens in the browser" before a click. */
  launchKinds: z.array(z.enum(LAUNCH_KINDS)),
  /** The identity fields the plugin declares (what a contact publishes for it), so the UI can name them. */
  identityFields: z.array(identityFieldSummary).default([]),
  /** The field a click copies on a network without a chat link. */
  copyField: z.string().optional(),
  /** Whether a click reaches a person by their phone number alone (WhatsApp, Signal), with nothing published. */
  reachesByPhone: z.boolean().default(false),
});
export type PluginSummary = z.infer<typeof pluginSummary>;

export const pickFileRequest = z.object({ extensions: z.array(z.string().regex(/^[a-z0-9]+$/)).max(20) });
export const pickedFile = z.object({
  name: z.string(),
  mimeType: z.string(),
  bytes: z.instanceof(Uint8Array),
});
export type PickedFile = z.infer<typeof pickedFile>;

export const bindPasswordRequest = z.object({
  pluginId: pluginIdSchema,
  // The keychain item is named after the user name, so it follows the vault's account-id rule (checked there).
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1024),
});
export type BindPasswordRequest = z.infer<typeof bindPasswordRequest>;

export const bindOAuthRequest = z.object({
  pluginId: pluginIdSchema,
  /** The server of a federated network (Mastodon), as `host[:port]`. */
  instance: z.string().min(1).max(253).optional(),
});
export const pluginAccountRequest = z.object({ pluginId: pluginIdSchema });


export const unbindResult = z.object({
  /** Keychain items deleted. */
  removed: z.number().int().nonnegative(),
  /** Whether the network revoked the OAuth tokens; null when there were none to revoke. */
  revoked: z.boolean().nullable(),
});
export type UnbindResult = z.infer<typeof unbindResult>;

/**
 * The login window opened. `filled` says whether the stored credentials went into the login form; when
 * not, `code` says why (`field_missing` is what an account still signed in from last time looks like).
 */
export const openLoggedInResult = z.object({
  filled: z.boolean(),
  code: z.string().optional(),
  message: z.string().optional(),
});
export type OpenLoggedInResult = z.infer<typeof openLoggedInResult>;

/** A contact of a bound network account as its plugin imported it; it stays on this machine. */
export const networkContact = z.object({
  pluginId: pluginIdSchema,
  accountId: z.string().min(1).max(200),
  displayName: z.string().max(500).optional(),
  /** E.164, checked by the plugin host. */
  phones: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/)).max(100),
  /** The person's handle, id or e-mail there; never their phone, which `phones` carries. */
  identity: contactIdentity.refine((fields) => !Object.hasOwn(fields, 'phone'), { message: 'phone goes in phones' }),
}) satisfies z.ZodType<BoundContact>;
// The domain type: what the schema parses is one (an identity without undefined fields).
export type NetworkContact = BoundContact;

export const accountsSyncResult = z.object({
  /** Every network contact now known, the accounts that failed this time keeping what they gave before. */
  contacts: z.array(networkContact),
  imported: z.array(z.object({ pluginId: z.string(), accountId: z.string(), contacts: z.number().int().nonnegative(), droppedPhones: z.number().int().nonnegative() })),
  /** Accounts that gave nothing this time, with the plugin host's code (and the plugin's own, when it threw one). */
  failures: z.array(z.object({ pluginId: z.string(), accountId: z.string(), code: z.string(), pluginCode: z.string().optional(), message: z.string() })),
});
export type AccountsSyncResult = z.infer<typeof accountsSyncResult>;

/** My status as the host holds it (the desktop core on the desktop, the browser's storage on the web). */
export const myStatus = z.object({ status: z.enum(imStatuses), text: z.string().max(280) });
export type MyStatus = z.infer<typeof myStatus>;

export const myStatusSetResult = myStatus.extend({
  /** Whether the host's own realtime link delivered it; `offline` on a host without one (the web). */
  report: z.enum(['delivered', 'offline', 'refused']),
  problem: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type MyStatusSetResult = z.infer<typeof myStatusSetResult>;

export const contactNotificationRequest = z.object({ userId: z.string().uuid(), enabled: z.boolean() });
/** Unread chat messages, for the tray's badge and the dock or taskbar count. */
export const unreadCountRequest = z.object({ count: z.number().int().min(0).max(1_000_000) });
/**
 * An incoming call (M26) as an OS notification, in the person's language: the window has the words, the
 * host has the notification. The labels name the notification's buttons where the OS shows buttons.
 */
export const incomingCallNotice = z
  .object({
    callId: z.string().uuid(),
    title: z.string().min(1).max(200),
    body: z.string().max(500),
    answerLabel: z.string().min(1).max(40),
    declineLabel: z.string().min(1).max(40),
  })
  .strict();
/** `shown: false` when the window has the focus: the call screen rings there and a notification would only repeat it. */
export const incomingCallShown = z.object({ shown: z.boolean() });
export const incomingCallRequest = z.object({ callId: z.string().uuid() }).strict();
/**
 * What the person did with the notification: `answer` or `decline` (its buttons), `open` (a click on it,
 * which brings the window forward). The host raises the window before `answer` and `open` arrive.
 */
export const callNoticeActions = ['answer', 'decline', 'open'] as const;
export const incomingCallAction = z.object({ callId: z.string().uuid(), action: z.enum(callNoticeActions) });
export type IncomingCallAction = z.infer<typeof incomingCallAction>;
export const startAtLoginRequest = z.object({ enabled: z.boolean() });

export const lookupIdentityRequest = z.object({ phone: z.string().regex(/^\+[1-9][0-9]{6,14}$/) });
export const lookupIdentityResult = z.object({ pluginId: pluginIdSchema, identity: contactIdentity });
export type LookupIdentityResult = z.infer<typeof lookupIdentityResult>;

/** Calls (M26): the window says when a call starts and ends; the desktop allows it media only in between. */
export const callMediaRequest = z.object({ active: z.boolean() });

const nothing = z.void();
const noArguments = z.tuple([]);

/**
 * Every request/response call: its IPC channel and schemas. The `DesktopBridge` interface below is
 * checked against this table at compile time, so the two cannot drift apart.
 */
export const bridgeCalls = {
  'app.info': { channel: 'switchboard:app.info', args: noArguments, result: appInfo },
  'app.setStartAtLogin': { channel: 'switchboard:app.setStartAtLogin', args: z.tuple([startAtLoginRequest]), result: nothing },
  'session.get': { channel: 'switchboard:session.get', args: noArguments, result: storedSession.nullable() },
  'session.set': { channel: 'switchboard:session.set', args: z.tuple([storedSession]), result: nothing },
  'session.signIn': { channel: 'switchboard:session.signIn', args: z.tuple([coreSignInRequest]), result: coreSignInResult },
  'session.clear': { channel: 'switchboard:session.clear', args: noArguments, result: nothing },
  'watcher.status': { channel: 'switchboard:watcher.status', args: noArguments, result: watcherStatus },
  'launcher.open': { channel: 'switchboard:launcher.open', args: z.tuple([launchRequest]), result: launchResult },
  'plugins.list': { channel: 'switchboard:plugins.list', args: noArguments, result: z.array(pluginSummary) },
  'import.pickFile': { channel: 'switchboard:import.pickFile', args: z.tuple([pickFileRequest]), result: pickedFile.nullable() },
  'notifications.setForContact': {
    channel: 'switchboard:notifications.setForContact',
    args: z.tuple([contactNotificationRequest]),
    result: nothing,
  },
  'notifications.setUnreadCount': { channel: 'switchboard:notifications.setUnreadCount', args: z.tuple([unreadCountRequest]), result: nothing },
  'notifications.showIncomingCall': { channel: 'switchboard:notifications.showIncomingCall', args: z.tuple([incomingCallNotice]), result: incomingCallShown },
  'notifications.closeIncomingCall': { channel: 'switchboard:notifications.closeIncomingCall', args: z.tuple([incomingCallRequest]), result: nothing },
  'accounts.list': { channel: 'switchboard:accounts.list', args: noArguments, result: z.array(boundAccount) },
  'accounts.bindPassword': { channel: 'switchboard:accounts.bindPassword', args: z.tuple([bindPasswordRequest]), result: boundAccount },
  'accounts.bindOAuth': { channel: 'switchboard:accounts.bindOAuth', args: z.tuple([bindOAuthRequest]), result: boundAccount },
  'accounts.unbind': { channel: 'switchboard:accounts.unbind', args: z.tuple([pluginAccountRequest]), result: unbindResult },
  'accounts.openLoggedIn': { channel: 'switchboard:accounts.openLoggedIn', args: z.tuple([pluginAccountRequest]), result: openLoggedInResult },
  'contacts.networkContacts': { channel: 'switchboard:contacts.networkContacts', args: noArguments, result: z.array(networkContact) },
  'contacts.syncAccounts': { channel: 'switchboard:contacts.syncAccounts', args: noArguments, result: accountsSyncResult },
  'contacts.lookupIdentity': { channel: 'switchboard:contacts.lookupIdentity', args: z.tuple([lookupIdentityRequest]), result: lookupIdentityResult.nullable() },
  'status.get': { channel: 'switchboard:status.get', args: noArguments, result: myStatus },
  'status.set': { channel: 'switchboard:status.set', args: z.tuple([myStatus]), result: myStatusSetResult },
  'calls.setMediaActive': { channel: 'switchboard:calls.setMediaActive', args: z.tuple([callMediaRequest]), result: nothing },
} as const;
export type BridgeCallName = keyof typeof bridgeCalls;

/** Events the host pushes to the renderer (main to renderer only). */
export const bridgeEvents = {
  'watcher.changed': { channel: 'switchboard:watcher.changed', payload: watcherStatus },
  /** My status changed elsewhere (the tray): the Status screen shows the new value. */
  'status.changed': { channel: 'switchboard:status.changed', payload: myStatus },
  /** The person answered, declined or clicked an incoming call's notification (`notifications.showIncomingCall`). */
  'notifications.callAction': { channel: 'switchboard:notifications.callAction', payload: incomingCallAction },
} as const;
export type BridgeEventName = keyof typeof bridgeEvents;

export type BridgeCallArgs<Name extends BridgeCallName> = z.infer<(typeof bridgeCalls)[Name]['args']>;
export type BridgeCallResult<Name extends BridgeCallName> = z.infer<(typeof bridgeCalls)[Name]['result']>;

export type Unsubscribe = () => void;

/** What the renderer may ask of its host. Implemented by the preload (desktop) and `WebBridge` (browser). */
export interface DesktopBridge {
  app: {
    info(): Promise<AppInfo>;
    setStartAtLogin(request: z.infer<typeof startAtLoginRequest>): Promise<void>;
  };
  /** The desktop keeps the token in the OS keychain through the main process; the renderer never stores it. */
  session: {
    get(): Promise<StoredSession | null>;
    set(session: StoredSession): Promise<void>;
    /** Desktop only: the core signs in and keeps the session; the window gets a delegated credential. */
    signIn(request: CoreSignInRequest): Promise<CoreSignInResult>;
    clear(): Promise<void>;
  };
  watcher: {
    status(): Promise<WatcherStatus>;
    onChanged(listener: (status: WatcherStatus) => void): Unsubscribe;
  };
  launcher: { open(request: LaunchRequest): Promise<LaunchResult> };
  plugins: { list(): Promise<PluginSummary[]> };
  import: { pickFile(request: z.infer<typeof pickFileRequest>): Promise<PickedFile | null> };
  notifications: {
    setForContact(request: z.infer<typeof contactNotificationRequest>): Promise<void>;
    /** The unread messages count the desktop shows on its tray icon and dock/taskbar; nothing in a browser tab. */
    setUnreadCount(request: z.infer<typeof unreadCountRequest>): Promise<void>;
    /**
     * Desktop only: an incoming call as an OS notification while the window is not focused, with Answer and
     * Decline where the OS shows buttons, else a click that raises the window. `unsupported` on a system
     * without notifications and in a browser tab (the page uses the Web Notification API there).
     */
    showIncomingCall(request: z.infer<typeof incomingCallNotice>): Promise<z.infer<typeof incomingCallShown>>;
    /** Withdraws the call's notification (answered here or elsewhere, declined, over); nothing if none is shown. */
    closeIncomingCall(request: z.infer<typeof incomingCallRequest>): Promise<void>;
    onCallAction(listener: (action: IncomingCallAction) => void): Unsubscribe;
  };
  /** Network accounts bound on this machine (desktop only; `capabilities.accountBinding`). Secrets go in, never out. */
  accounts: {
    list(): Promise<BoundAccount[]>;
    /** Stores the pair in the OS keychain, replacing an earlier password account of that network. */
    bindPassword(request: BindPasswordRequest): Promise<BoundAccount>;
    /** Runs the OAuth flow in the system browser; resolves once the tokens are in the keychain. Needs a click. */
    bindOAuth(request: z.infer<typeof bindOAuthRequest>): Promise<BoundAccount>;
    /** Forgets every account of the network: keychain items deleted, OAuth tokens revoked where possible. */
    unbind(request: z.infer<typeof pluginAccountRequest>): Promise<UnbindResult>;
    /** Opens a password network's web site in its own window, signed in with the stored credentials. Needs a click. */
    openLoggedIn(request: z.infer<typeof pluginAccountRequest>): Promise<OpenLoggedInResult>;
  };
  /** Contacts of bound network accounts (M11), imported by their plugins on this machine (desktop only; empty on the web). */
  contacts: {
    networkContacts(): Promise<NetworkContact[]>;
    /** Runs every bound account's contacts import through the plugin host now. */
    syncAccounts(): Promise<AccountsSyncResult>;
    /**
     * What a bound account's network says about this number (the plugins' identity lookup), e.g. my own
     * number for "Use … from my bound account"; null when no bound account knows it (always on the web).
     */
    lookupIdentity(request: z.infer<typeof lookupIdentityRequest>): Promise<LookupIdentityResult | null>;
  };
  /** My status: one value, held by the host; the desktop's tray and Status screen both go through it. */
  status: {
    get(): Promise<MyStatus>;
    set(status: MyStatus): Promise<MyStatusSetResult>;
    onChanged(listener: (status: MyStatus) => void): Unsubscribe;
  };
  /** Calls (M26): microphone and camera are allowed to the app's window only between `true` and `false`. */
  calls: { setMediaActive(request: z.infer<typeof callMediaRequest>): Promise<void> };
}

/**
 * What the desktop's preload exposes to the page as `window.switchboardDesktop`: the contract's calls by
 * name, each answered with a `BridgeReply` (never a rejection, so the error code survives contextBridge),
 * and the contract's events by name. The page turns it into a `DesktopBridge` with `createIpcBridge`.
 */
export interface BridgePort {
  call(name: BridgeCallName, args: readonly unknown[]): Promise<unknown>;
  subscribe(name: BridgeEventName, listener: (payload: unknown) => void): Unsubscribe;
}

type MethodAt<Name extends string> = Name extends `${infer Group}.${infer Method}`
  ? Group extends keyof DesktopBridge
    ? Method extends keyof DesktopBridge[Group]
      ? DesktopBridge[Group][Method]
      : never
    : never
  : never;

/** Compile-time proof that the interface and the schema table agree, call by call. */
type CallMatches<Name extends BridgeCallName> =
  MethodAt<Name> extends (...args: infer Args) => Promise<infer Result>
    ? [Args, Result] extends [BridgeCallArgs<Name>, BridgeCallResult<Name>]
      ? [BridgeCallArgs<Name>, BridgeCallResult<Name>] extends [Args, Result]
        ? true
        : false
      : false
    : false;
type AllCallsMatch = { [Name in BridgeCallName]: CallMatches<Name> }[BridgeCallName];
const contractIsConsistent: AllCallsMatch = true;
void contractIsConsistent;
