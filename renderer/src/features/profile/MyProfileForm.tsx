import { useEffect, useId, useRef, useState } from 'react';
import { uploadFile } from '../../api/attachment-files.js';
import { useApp } from '../../app/app-store.js';
import { bridge } from '../../bridge/bridge.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { Picture } from '../../ui/Picture.js';
import { AuthorAvatar } from '../feed/AuthorAvatar.js';
import { profileLimits } from '../feed/posts-api.js';
import type { ProfileView } from '../feed/post-types.js';
import { useProfiles } from './profile-store.js';

/** A chosen avatar: uploaded at once, so the server's thumbnail is what the preview shows. */
type AvatarChoice = { kind: 'kept' } | { kind: 'removed' } | { kind: 'new'; attachmentId: string };

/**
 * What I publish about myself: display name, signature (shown beside my status text) and a profile
 * picture. Saved with one PUT; nothing about my contacts goes with it.
 */
export function MyProfileForm({ profile }: { profile: ProfileView | undefined }) {
  const t = useT();
  const myId = useApp((state) => state.session?.userId ?? '');
  const [displayName, setDisplayName] = useState(profile?.displayName ?? '');
  const [signature, setSignature] = useState(profile?.signature ?? '');
  const [avatar, setAvatar] = useState<AvatarChoice>({ kind: 'kept' });
  const [statusText, setStatusText] = useState('');
  const [busy, setBusy] = useState<'uploading' | 'saving' | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);
  const signatureHint = useId();

  // The form starts from the server's copy once it arrives (and again after a save elsewhere).
  useEffect(() => {
    setDisplayName(profile?.displayName ?? '');
    setSignature(profile?.signature ?? '');
    setAvatar({ kind: 'kept' });
  }, [profile?.displayName, profile?.signature, profile?.avatarAttachmentId]);

  useEffect(() => {
    const show = (saved: { text: string }) => setStatusText(saved.text);
    void bridge().status.get().then(show);
    return bridge().status.onChanged(show);
  }, []);

  const shownAvatar = avatar.kind === 'new' ? avatar.attachmentId : avatar.kind === 'removed' ? undefined : profile?.avatarAttachmentId;

  async function chooseAvatar(file: File | undefined): Promise<void> {
    if (file === undefined) return;
    setNotice(undefined);
    setError(undefined);
    if (!file.type.startsWith('image/')) {
      setNotice(t('composer.notPicture'));
      return;
    }
    setBusy('uploading');
    try {
      const uploaded = await uploadFile(file);
      setAvatar({ kind: 'new', attachmentId: uploaded.attachmentId });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
      if (fileInput.current !== null) fileInput.current.value = '';
    }
  }

  async function save(): Promise<void> {
    setNotice(undefined);
    setError(undefined);
    setBusy('saving');
    try {
      await useProfiles.getState().saveMine({
        displayName: displayName.trim(),
        signature: signature.trim(),
        ...(avatar.kind === 'new' ? { avatarAttachmentId: avatar.attachmentId } : avatar.kind === 'removed' ? { avatarAttachmentId: null } : {}),
      });
      setNotice(t('common.saved'));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <form
      className="profile-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="profile-avatar-edit">
        {avatar.kind === 'new' ? (
          <span className="avatar avatar-xl avatar-picture">
            <Picture attachmentId={avatar.attachmentId} size="thumbnail" alt={t('profile.avatarPreview')} />
          </span>
        ) : (
          <span className="avatar-xl-wrap">
            <AuthorAvatar userId={myId} name={displayName} avatarId={shownAvatar} size="lg" />
          </span>
        )}
        <div className="profile-avatar-actions">
          <label className="file-button">
            <span>{busy === 'uploading' ? t('profile.uploadingAvatar') : t('profile.chooseAvatar')}</span>
            <input
              ref={fileInput}
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp"
              aria-label={t('profile.avatar')}
              disabled={busy !== undefined}
              onChange={(event) => void chooseAvatar(event.target.files?.[0])}
            />
          </label>
          {shownAvatar !== undefined && (
            <button type="button" disabled={busy !== undefined} onClick={() => setAvatar({ kind: 'removed' })}>
              {t('profile.removeAvatar')}
            </button>
          )}
        </div>
      </div>
      <label className="field">
        <span>{t('profile.displayName')}</span>
        <input value={displayName} maxLength={profileLimits.maxDisplayNameLength} autoComplete="nickname" onChange={(event) => setDisplayName(event.target.value)} />
      </label>
      <div className="profile-signature-row">
        <label className="field">
          <span>{t('profile.signature')}</span>
          <input value={signature} maxLength={profileLimits.maxSignatureLength} aria-describedby={signatureHint} onChange={(event) => setSignature(event.target.value)} />
          <span id={signatureHint} className="muted small">
            {t('profile.signatureHint')}
          </span>
        </label>
        <div className="field profile-status-text">
          <span>{t('profile.statusText')}</span>
          <p className={statusText === '' ? 'muted' : ''}>{statusText === '' ? t('profile.noStatusText') : statusText}</p>
          <button type="button" className="link" onClick={() => useApp.getState().setScreen('status')}>
            {t('profile.changeStatus')}
          </button>
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy !== undefined}>
          {t('common.save')}
        </button>
      </div>
      <StatusNotice text={notice} />
      <ErrorNotice error={error} />
    </form>
  );
}
