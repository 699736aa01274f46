import type { ContactView, AddressBookEntry } from '#common/contract/contacts.js';
import type { SwitchboardClient } from '#common/contract/http-client.js';
import type { DeviceInput } from '#common/contract/identity.js';
import type { PrivacySettings } from '#common/contract/privacy.js';
import type { CreatePostRequest, UpdateProfileRequest } from '#common/contract/posts.js';
import { routes } from '#common/contract/routes.js';
import { ApiFailure } from './failure.js';

/** The server calls the UI makes, named for the UI; each is a route of the shared table. */

export type ServerContact = ContactView;

/** A browser keeps its session in an HttpOnly cookie (kept across restarts or not); the desktop gets a token for its core. */
export type SessionCarrier = { session: 'cookie'; keepSignedIn: boolean } | { session: 'bearer' };

type ListKind = 'blocklist' | 'allowlist';
const listRoutes = {
  blocklist: { list: routes.blocklist, add: routes.block, remove: routes.unblock },
  allowlist: { list: routes.allowlist, add: routes.allow, remove: routes.disallow },
} as const;

export function serverApi(client: SwitchboardClient) {
  return {
    startVerification: (phone: string) => client.call(routes.startVerification, { body: { phone } }),
    checkCode: (verificationId: string, code: string) => client.call(routes.checkCode, { params: { verificationId }, body: { code } }),
    createSession: (ticket: string, device: DeviceInput, carrier: SessionCarrier) => client.call(routes.createSession, { body: { ticket, device, ...carrier } }),
    passwordSession: (phone: string, password: string, device: DeviceInput, carrier: SessionCarrier) =>
      client.call(routes.passwordSession, { body: { phone, password, device, ...carrier } }),
    endSession: () => client.call(routes.endSession, {}),
    me: () => client.call(routes.me, {}),
    setPassword: (password: string, signOutOthers = true) => client.call(routes.setPassword, { body: { password, signOutOthers } }),
    changePhone: (ticket: string) => client.call(routes.changePhone, { body: { ticket } }),
    deleteAccount: (confirmation: { password: string } | { ticket: string }) => client.call(routes.deleteAccount, { body: confirmation }),
    devices: () => client.call(routes.devices, {}),
    updateDevice: (deviceId: string, change: { blocked?: boolean; trusted?: true }) => client.call(routes.updateDevice, { params: { deviceId }, body: change }),
    signOutDevice: (deviceId: string) => client.call(routes.signOutDevice, { params: { deviceId } }),
    logins: () => client.call(routes.logins, { query: { limit: 500 } }),

    /** The development outbox; undefined when the server has a real SMS provider (the route is not served). */
    async devSmsCode(phone: string): Promise<string | undefined> {
      try {
        const messages = await client.call(routes.devSms, { query: { to: phone } });
        const match = messages[0] === undefined ? null : /\b(\d{6})\b/.exec(messages[0].body);
        return match?.[1] ?? '';
      } catch (error) {
        if (error instanceof ApiFailure && error.status === 404) return undefined;
        throw error;
      }
    },

    replaceAddressBook: (entries: Pick<AddressBookEntry, 'ref' | 'phones' | 'sealed'>[]) => client.call(routes.replaceAddressBook, { body: { entries } }),
    addressBook: () => client.call(routes.addressBook, {}),
    addressBookChanges: (since: number) => client.call(routes.addressBookChanges, { query: { since } }),
    contacts: () => client.call(routes.contacts, {}),
    invite: (phone: string, language: 'en' | 'zh-CN') => client.call(routes.createInvitation, { body: { phone, language } }),

    publishDeviceKey: (publicKey: string) => client.call(routes.publishDeviceKey, { body: { publicKey } }),
    keyDevices: () => client.call(routes.keyDevices, {}),
    /** Calls (M26): ICE servers with fresh TURN credentials, fetched as a call starts. */
    callIceServers: () => client.call(routes.callIceServers, {}),
    approveDevice: (deviceId: string, publicKey: string, wrappedKey: string) => client.call(routes.approveDevice, { params: { deviceId }, body: { publicKey, wrappedKey } }),
    rejectDevice: (deviceId: string) => client.call(routes.rejectDevice, { params: { deviceId } }),
    deviceBookKey: () => client.call(routes.deviceBookKey, {}),
    recovery: () => client.call(routes.recovery, {}),
    saveRecovery: (wrappedKey: string) => client.call(routes.saveRecovery, { body: { wrappedKey } }),

    privacy: () => client.call(routes.privacy, {}),
    updatePrivacy: (update: Partial<PrivacySettings>) => client.call(routes.updatePrivacy, { body: update }),
    list: (kind: ListKind) => client.call(listRoutes[kind].list, {}),
    addToList: (kind: ListKind, userId: string) => client.call(listRoutes[kind].add, { params: { userId } }),
    removeFromList: (kind: ListKind, userId: string) => client.call(listRoutes[kind].remove, { params: { userId } }),

    accounts: () => client.call(routes.boundAccounts, {}),
    startOAuth: (plugin: string, instance?: string) => client.call(routes.startOAuth, { params: { plugin }, body: instance === undefined ? {} : { instance } }),
    unbindAccount: (plugin: string) => client.call(routes.unbindAccount, { params: { plugin } }),

    myIdentities: () => client.call(routes.myIdentities, {}),
    publishIdentity: (pluginId: string, body: Record<string, string>) => client.call(routes.publishIdentity, { params: { pluginId }, body }),
    removeIdentity: (pluginId: string) => client.call(routes.removeIdentity, { params: { pluginId } }),

    // Profile, posts, comments, likes and albums (issue 16); features/feed/posts-api.ts maps the answers.
    myProfile: () => client.call(routes.myProfile, {}),
    updateMyProfile: (body: UpdateProfileRequest) => client.call(routes.updateMyProfile, { body }),
    userProfile: (userId: string) => client.call(routes.userProfile, { params: { userId } }),
    feed: (before: string | undefined, limit: number) => client.call(routes.feed, { query: { before, limit } }),
    feedUnseen: () => client.call(routes.feedUnseen, {}),
    markFeedSeen: (upTo: number) => client.call(routes.markFeedSeen, { body: { upTo } }),
    userPosts: (userId: string, before: string | undefined, limit: number) => client.call(routes.userPosts, { params: { userId }, query: { before, limit } }),
    createPost: (body: CreatePostRequest) => client.call(routes.createPost, { body }),
    deletePost: (id: string) => client.call(routes.deletePost, { params: { id } }),
    postComments: (id: string) => client.call(routes.postComments, { params: { id } }),
    createComment: (id: string, text: string) => client.call(routes.createComment, { params: { id }, body: { text } }),
    deleteComment: (id: string, commentId: string) => client.call(routes.deleteComment, { params: { id, commentId } }),
    likePost: (id: string) => client.call(routes.likePost, { params: { id } }),
    unlikePost: (id: string) => client.call(routes.unlikePost, { params: { id } }),
    userAlbums: (userId: string) => client.call(routes.userAlbums, { params: { userId } }),
    createAlbum: (title: string) => client.call(routes.createAlbum, { body: { title } }),
    albumPhotos: (id: string) => client.call(routes.albumPhotos, { params: { id } }),
    addAlbumPhoto: (id: string, attachmentId: string, caption: string | undefined) =>
      client.call(routes.addAlbumPhoto, { params: { id }, body: caption === undefined ? { attachmentId } : { attachmentId, caption } }),
    conversations: () => client.call(routes.conversations, {}),
    conversationMessages: (id: string, before: number | undefined, limit: number) =>
      client.call(routes.conversationMessages, { params: { id }, query: before === undefined ? { limit } : { before, limit } }),
    createGroup: (title: string, members: string[]) => client.call(routes.createGroup, { body: { title, members } }),
    renameGroup: (id: string, title: string) => client.call(routes.renameGroup, { params: { id }, body: { title } }),
    addGroupMember: (id: string, userId: string) => client.call(routes.addGroupMember, { params: { id, userId } }),
    /** Removing myself is leaving the group. */
    removeGroupMember: (id: string, userId: string) => client.call(routes.removeGroupMember, { params: { id, userId } }),
    uploadAttachment: (file: Blob, name: string) => client.upload(routes.uploadAttachment, file, { 'x-file-name': encodeURIComponent(name) }),
    attachment: (id: string) => client.bytes(routes.attachment, { id }),
    attachmentType: (id: string) => client.contentType(routes.attachment, { id }),
    attachmentThumbnail: (id: string) => client.bytes(routes.attachmentThumbnail, { id }),
    // Interworking (M28): the outside (XMPP) addresses allowed to reach me.
    outsideContacts: () => client.call(routes.myOutsideContacts, {}),
    allowOutsideContact: (address: string) => client.call(routes.allowOutsideContact, { params: { address } }),
    removeOutsideContact: (address: string) => client.call(routes.removeOutsideContact, { params: { address } }),
  };
}

export type ServerApi = ReturnType<typeof serverApi>;
