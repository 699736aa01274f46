import { useEffect, useId, useRef, useState } from 'react';
import { uploadFile } from '../../api/attachment-files.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { Picture } from '../../ui/Picture.js';
import { PictureViewer } from '../../ui/PictureViewer.js';
import { albumLimits } from '../feed/posts-api.js';
import type { AlbumView } from '../feed/post-types.js';
import { useProfiles } from './profile-store.js';

/** A person's albums as a grid of covers; one album as a grid of captioned photos with a viewer. */
export function AlbumsPanel({ userId, editable }: { userId: string; editable: boolean }) {
  const t = useT();
  const entry = useProfiles((state) => state.albums[userId]);
  const [openId, setOpenId] = useState<string | undefined>(undefined);
  const headingId = useId();
  const open = entry?.albums.find((album) => album.id === openId);

  return (
    <section className="albums" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('albums.heading')}</h2>
      {entry?.phase === 'loading' && <p className="muted">{t('common.loading')}</p>}
      {entry?.phase === 'failed' && <ErrorNotice error={entry.error} />}
      {open !== undefined ? (
        <AlbumView album={open} editable={editable} onBack={() => setOpenId(undefined)} />
      ) : (
        <>
          {entry?.phase === 'ready' && entry.albums.length === 0 && <p className="muted">{t('albums.empty')}</p>}
          {entry !== undefined && entry.albums.length > 0 && (
            <ul className="album-grid">
              {entry.albums.map((album) => (
                <li key={album.id}>
                  <button type="button" className="album-cover" onClick={() => setOpenId(album.id)} aria-label={t('albums.open', { title: album.title })}>
                    {album.coverAttachmentId === undefined ? <span className="picture picture-empty" /> : <Picture attachmentId={album.coverAttachmentId} size="thumbnail" alt="" />}
                    <span className="album-title">{album.title}</span>
                    <span className="muted small">{t('albums.photos', { count: album.photoCount })}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {editable && <CreateAlbum onCreated={setOpenId} />}
        </>
      )}
    </section>
  );
}

function CreateAlbum({ onCreated }: { onCreated(albumId: string): void }) {
  const t = useT();
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function create(): Promise<void> {
    if (title.trim() === '') return;
    setBusy(true);
    setError(undefined);
    try {
      const album = await useProfiles.getState().createAlbum(title.trim());
      setTitle('');
      onCreated(album.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="inline-form album-create"
      onSubmit={(event) => {
        event.preventDefault();
        void create();
      }}
    >
      <label className="field">
        <span>{t('albums.title')}</span>
        <input value={title} maxLength={albumLimits.maxTitleLength} onChange={(event) => setTitle(event.target.value)} />
      </label>
      <button type="submit" disabled={busy || title.trim() === ''}>
        {t('albums.createButton')}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}

function AlbumView({ album, editable, onBack }: { album: AlbumView; editable: boolean; onBack(): void }) {
  const t = useT();
  const photos = useProfiles((state) => state.photos[album.id]);
  const [viewing, setViewing] = useState<number | undefined>(undefined);
  const back = useRef<HTMLButtonElement>(null);
  const items = photos?.items ?? [];

  useEffect(() => {
    back.current?.focus();
    void useProfiles.getState().loadPhotos(album.id);
  }, [album.id]);

  return (
    <div className="album" data-testid="album">
      <div className="screen-header">
        <button type="button" ref={back} onClick={onBack}>
          <span aria-hidden="true">‹ </span>
          {t('albums.all')}
        </button>
        <h3 className="album-heading">{album.title}</h3>
      </div>
      {photos?.phase === 'loading' && items.length === 0 && <p className="muted">{t('common.loading')}</p>}
      {photos?.phase === 'failed' && <ErrorNotice error={photos.error} />}
      {photos?.phase === 'ready' && items.length === 0 && <p className="muted">{t('albums.noPhotos')}</p>}
      {items.length > 0 && (
        <ul className="photo-grid">
          {items.map((photo, index) => (
            <li key={photo.id}>
              <figure>
                <button
                  type="button"
                  className="picture-button"
                  onClick={() => setViewing(index)}
                  aria-label={t('albums.photo', { index: index + 1, count: items.length })}
                  aria-describedby={photo.caption === '' ? undefined : `caption-${photo.id}`}
                >
                  <Picture attachmentId={photo.attachmentId} size="thumbnail" alt="" />
                </button>
                {photo.caption !== '' && <figcaption id={`caption-${photo.id}`}>{photo.caption}</figcaption>}
              </figure>
            </li>
          ))}
        </ul>
      )}
      {editable && <AddPhotos albumId={album.id} />}
      {viewing !== undefined && <PictureViewer pictures={items} startAt={viewing} title={album.title} onClose={() => setViewing(undefined)} />}
    </div>
  );
}

interface PendingPhoto {
  key: string;
  file: File;
  previewUrl: string;
  caption: string;
}

/** Pictures chosen here get a caption each, then go to the album in the order chosen. */
function AddPhotos({ albumId }: { albumId: string }) {
  const t = useT();
  const [pending, setPending] = useState<PendingPhoto[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const pendingRef = useRef(pending);
  pendingRef.current = pending;

  useEffect(() => () => pendingRef.current.forEach((photo) => URL.revokeObjectURL(photo.previewUrl)), []);

  function choose(files: FileList | null): void {
    setNotice(undefined);
    const images = [...(files ?? [])].filter((file) => file.type.startsWith('image/'));
    if (images.length < (files?.length ?? 0)) setNotice(t('composer.notPicture'));
    setPending((current) => [...current, ...images.map((file) => ({ key: `${file.name}-${file.size}-${Math.random()}`, file, previewUrl: URL.createObjectURL(file), caption: '' }))]);
  }

  async function add(): Promise<void> {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    let added = 0;
    try {
      for (const photo of pending) {
        const uploaded = await uploadFile(photo.file);
        await useProfiles.getState().addPhoto(albumId, uploaded.attachmentId, photo.caption.trim());
        URL.revokeObjectURL(photo.previewUrl);
        added += 1;
        // What went up leaves the list, so a failure halfway leaves only the rest to retry.
        setPending((current) => current.filter((item) => item.key !== photo.key));
      }
      setNotice(t('albums.added', { count: added }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="album-add">
      <label className="file-button">
        <span>{t('albums.addPhotos')}</span>
        <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" multiple disabled={busy} onChange={(event) => {
          choose(event.target.files);
          event.target.value = '';
        }} />
      </label>
      {pending.length > 0 && (
        <>
          <ul className="pending-photos">
            {pending.map((photo, index) => (
              <li key={photo.key}>
                <img src={photo.previewUrl} alt="" />
                <label className="field">
                  <span>{t('albums.captionFor', { index: index + 1 })}</span>
                  <input
                    value={photo.caption}
                    maxLength={albumLimits.maxCaptionLength}
                    onChange={(event) => setPending((current) => current.map((item) => (item.key === photo.key ? { ...item, caption: event.target.value } : item)))}
                  />
                </label>
              </li>
            ))}
          </ul>
          <button type="button" className="primary" disabled={busy} onClick={() => void add()}>
            {t('albums.addButton')}
          </button>
        </>
      )}
      <StatusNotice text={notice} />
      <ErrorNotice error={error} />
    </div>
  );
}
