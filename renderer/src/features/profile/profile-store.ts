import { create } from 'zustand';
import { ApiFailure } from '../../api/failure.js';
import { useApp, type Screen } from '../../app/app-store.js';
import type { LoadPhase } from '../feed/feed-store.js';
import { postsApi } from '../feed/posts-api.js';
import type { AlbumPhotoView, AlbumView, ProfileView } from '../feed/post-types.js';

export interface ProfileEntry {
  profile: ProfileView | undefined;
  phase: LoadPhase;
  /** The server does not show this person's profile to me (not a contact, blocked, their choice). */
  hidden: boolean;
  error: unknown;
}

export interface AlbumsEntry {
  albums: AlbumView[];
  phase: LoadPhase;
  error: unknown;
}

export interface PhotosEntry {
  items: AlbumPhotoView[];
  phase: LoadPhase;
  error: unknown;
}

export interface ProfileChange {
  displayName?: string;
  signature?: string;
  avatarAttachmentId?: string | null;
}

interface ProfileState {
  /** Whose profile the Profile screen shows: a user id, or undefined for mine. */
  viewing: string | undefined;
  /** The screen the profile was opened from, where Back returns. */
  returnTo: Screen;
  profiles: Record<string, ProfileEntry>;
  albums: Record<string, AlbumsEntry>;
  /** The photos of each album opened, by album id. */
  photos: Record<string, PhotosEntry>;
  loadProfile(userId: string | undefined): Promise<void>;
  saveMine(change: ProfileChange): Promise<ProfileView>;
  loadAlbums(userId: string): Promise<void>;
  createAlbum(title: string): Promise<AlbumView>;
  loadPhotos(albumId: string): Promise<void>;
  addPhoto(albumId: string, attachmentId: string, caption: string): Promise<void>;
  clear(): void;
}

function myId(): string {
  return useApp.getState().session?.userId ?? '';
}

/** Refusals that mean "not for you" rather than "something broke". */
function isHidden(error: unknown): boolean {
  return error instanceof ApiFailure && (error.status === 403 || error.status === 404);
}

export const useProfiles = create<ProfileState>((set, get) => ({
  viewing: undefined,
  returnTo: 'feed',
  profiles: {},
  albums: {},
  photos: {},

  async loadProfile(userId) {
    const key = userId ?? myId();
    const before = get().profiles[key];
    set((state) => ({ profiles: { ...state.profiles, [key]: { profile: before?.profile, phase: before?.profile === undefined ? 'loading' : 'ready', hidden: false, error: undefined } } }));
    try {
      const profile = userId === undefined || userId === myId() ? await postsApi.myProfile() : await postsApi.profile(userId);
      set((state) => ({ profiles: { ...state.profiles, [key]: { profile, phase: 'ready', hidden: false, error: undefined } } }));
    } catch (error) {
      set((state) => ({ profiles: { ...state.profiles, [key]: { profile: undefined, phase: 'failed', hidden: isHidden(error), error } } }));
    }
  },

  async saveMine(change) {
    const profile = await postsApi.saveMyProfile(change);
    set((state) => ({ profiles: { ...state.profiles, [myId()]: { profile, phase: 'ready', hidden: false, error: undefined } } }));
    return profile;
  },

  async loadAlbums(userId) {
    const before = get().albums[userId];
    set((state) => ({ albums: { ...state.albums, [userId]: { albums: before?.albums ?? [], phase: before === undefined ? 'loading' : before.phase, error: undefined } } }));
    try {
      const albums = await postsApi.albums(userId);
      set((state) => ({ albums: { ...state.albums, [userId]: { albums, phase: 'ready', error: undefined } } }));
    } catch (error) {
      set((state) => ({ albums: { ...state.albums, [userId]: { albums: state.albums[userId]?.albums ?? [], phase: 'failed', error } } }));
    }
  },

  async createAlbum(title) {
    const album = await postsApi.createAlbum(title);
    const owner = myId();
    set((state) => {
      const mine = state.albums[owner];
      return { albums: { ...state.albums, [owner]: { albums: [album, ...(mine?.albums.filter((item) => item.id !== album.id) ?? [])], phase: 'ready', error: undefined } } };
    });
    return album;
  },

  async loadPhotos(albumId) {
    set((state) => ({ photos: { ...state.photos, [albumId]: { items: state.photos[albumId]?.items ?? [], phase: 'loading', error: undefined } } }));
    try {
      const items = await postsApi.albumPhotos(albumId);
      set((state) => ({ photos: { ...state.photos, [albumId]: { items, phase: 'ready', error: undefined } } }));
    } catch (error) {
      set((state) => ({ photos: { ...state.photos, [albumId]: { items: state.photos[albumId]?.items ?? [], phase: 'failed', error } } }));
    }
  },

  async addPhoto(albumId, attachmentId, caption) {
    const photo = await postsApi.addPhoto(albumId, attachmentId, caption);
    const owner = myId();
    set((state) => {
      const before = state.photos[albumId];
      const photos = { ...state.photos, [albumId]: { items: [...(before?.items ?? []).filter((item) => item.id !== photo.id), photo], phase: before?.phase ?? 'ready', error: undefined } };
      const mine = state.albums[owner];
      if (mine === undefined) return { photos };
      // The newest photo is the cover, as the server makes it.
      const albums = mine.albums.map((album) => (album.id === albumId ? { ...album, photoCount: album.photoCount + 1, coverAttachmentId: photo.attachmentId } : album));
      return { photos, albums: { ...state.albums, [owner]: { ...mine, albums } } };
    });
  },

  clear() {
    set({ viewing: undefined, returnTo: 'feed', profiles: {}, albums: {}, photos: {} });
  },
}));

/** Opens the Profile screen on a person (undefined: mine), from the feed or a contact's card. */
export function openProfile(userId: string | undefined): void {
  const from = useApp.getState().screen;
  useProfiles.setState((state) => ({ viewing: userId === myId() ? undefined : userId, returnTo: from === 'profile' ? state.returnTo : from }));
  useApp.getState().setScreen('profile');
}
