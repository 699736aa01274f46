import type { PostAuthor, ProfileView, UpdateProfileRequest } from '#common/contract/posts.js';
import { ApiError } from '../../http/api-error.js';
import type { Clock } from '../../platform/clock.js';
import { toIso } from '../../platform/clock.js';
import type { AttachmentsService } from '../messages/attachments.service.js';
import type { ProfileRepository, StoredProfile } from './profile.repository.js';
import { standingAdmits, type Standing, type VisibilityService } from './visibility.service.js';

/**
 * Profiles (issue 16, M14): display name, signature and avatar, the user's own choice of what to publish,
 * shown to the people allowed to see their activity. Nothing about their contacts is stored here.
 */
export class ProfileService {
  constructor(
    private readonly deps: {
      repo: ProfileRepository;
      visibility: VisibilityService;
      attachments: Pick<AttachmentsService, 'ownPicture' | 'discardUnlessHeld'>;
      clock: Clock;
    },
  ) {}

  async mine(userId: string): Promise<ProfileView> {
    return viewOf(userId, (await this.deps.repo.profilesOf([userId])).get(userId));
  }

  async update(userId: string, change: UpdateProfileRequest): Promise<ProfileView> {
    const current = (await this.deps.repo.profilesOf([userId])).get(userId);
    if (change.avatarAttachmentId) await this.checkPicture(userId, change.avatarAttachmentId);
    const next: StoredProfile = {
      userId,
      displayName: pick(change.displayName, current?.displayName ?? null),
      signature: pick(change.signature, current?.signature ?? null),
      avatarAttachmentId: pick(change.avatarAttachmentId, current?.avatarAttachmentId ?? null),
      updatedAt: this.deps.clock.now(),
    };
    await this.deps.repo.save(next);
    // The avatar it replaced goes, file and thumbnail, once the profile no longer shows it; a post or an
    // album that shows the same picture keeps it (the attachments' holders decide).
    const replaced = current?.avatarAttachmentId;
    if (replaced && replaced !== next.avatarAttachmentId) await this.deps.attachments.discardUnlessHeld(userId, [replaced]);
    return viewOf(userId, next);
  }

  /** Someone's profile for a viewer allowed to see their activity; 404 as if absent for anyone else. */
  async viewFor(viewerId: string, userId: string): Promise<ProfileView> {
    if (viewerId !== userId) {
      const [standing, audiences] = await Promise.all([this.deps.visibility.standingToward(viewerId, userId), this.deps.visibility.profileAudiences([userId])]);
      if (!standingAdmits(standing, audiences.get(userId) ?? 'private')) throw new ApiError(404, 'not_found', 'no such profile');
    }
    return this.mine(userId);
  }

  /** The author line of posts and comments: profile fields only for viewers allowed to see the profile. */
  async authorsFor(viewerId: string, authorIds: string[], standing: ReadonlyMap<string, Standing>): Promise<Map<string, PostAuthor>> {
    const ids = [...new Set(authorIds)];
    const [profiles, audiences] = await Promise.all([this.deps.repo.profilesOf(ids), this.deps.visibility.profileAudiences(ids)]);
    const out = new Map<string, PostAuthor>();
    for (const id of ids) {
      const profile = profiles.get(id);
      const shown = id === viewerId || standingAdmits(standing.get(id), audiences.get(id) ?? 'private');
      out.set(id, {
        userId: id,
        ...(shown && profile?.displayName ? { displayName: profile.displayName } : {}),
        ...(shown && profile?.avatarAttachmentId ? { avatarAttachmentId: profile.avatarAttachmentId } : {}),
      });
    }
    return out;
  }

  /** For the attachments service: an avatar may be fetched by whoever may see its profile. */
  async mayFetchAvatar(viewerId: string, attachmentId: string): Promise<boolean> {
    for (const ownerId of await this.deps.repo.avatarOwners(attachmentId)) {
      const visible = await this.viewFor(viewerId, ownerId).then(
        () => true,
        () => false,
      );
      if (visible) return true;
    }
    return false;
  }

  /** For the attachments service: an avatar is kept while it is one. */
  async holdsAvatar(attachmentId: string): Promise<boolean> {
    return (await this.deps.repo.avatarOwners(attachmentId)).length > 0;
  }

  deleteUser(userId: string): Promise<void> {
    return this.deps.repo.deleteUser(userId);
  }

  private async checkPicture(userId: string, attachmentId: string): Promise<void> {
    await requireOwnPicture(this.deps.attachments, userId, attachmentId);
  }
}

/** A picture the user uploaded, or the error that says why not. */
export async function requireOwnPicture(attachments: Pick<AttachmentsService, 'ownPicture'>, userId: string, attachmentId: string): Promise<void> {
  const verdict = await attachments.ownPicture(userId, attachmentId);
  if (verdict === 'unknown') throw new ApiError(400, 'unknown_attachment', 'no picture of yours with this id', { attachmentId });
  if (verdict === 'not_a_picture') throw new ApiError(415, 'not_a_picture', 'only pictures (PNG, JPEG, GIF, WebP) may be shown here', { attachmentId });
}

/** A present value replaces (an empty one removes); an absent one keeps what was there. */
function pick(value: string | null | undefined, current: string | null): string | null {
  if (value === undefined) return current;
  return value === null || value === '' ? null : value;
}

function viewOf(userId: string, profile: StoredProfile | undefined): ProfileView {
  if (!profile) return { userId };
  return {
    userId,
    ...(profile.displayName ? { displayName: profile.displayName } : {}),
    ...(profile.signature ? { signature: profile.signature } : {}),
    ...(profile.avatarAttachmentId ? { avatarAttachmentId: profile.avatarAttachmentId } : {}),
    updatedAt: toIso(profile.updatedAt),
  };
}
