import { useEffect, useId, useRef, useState } from 'react';
import { uploadFile } from '../../api/attachment-files.js';
import { useT } from '../../i18n/i18n.js';
import { ErrorNotice, StatusNotice } from '../../ui/ErrorNotice.js';
import { requireConnection, useFeed } from './feed-store.js';
import { postLimits } from './posts-api.js';
import { postAudiences, postKinds, type PostAudience, type PostKind } from './post-types.js';

interface ChosenPicture {
  key: string;
  file: File;
  /** A local preview: nothing leaves the device before Post. */
  previewUrl: string;
}

/** A mood or a diary entry, with pictures and who may see it. Pictures are uploaded when it is posted. */
export function Composer() {
  const t = useT();
  const [kind, setKind] = useState<PostKind>('mood');
  const [text, setText] = useState('');
  const [audience, setAudience] = useState<PostAudience>('contacts');
  const [pictures, setPictures] = useState<ChosenPicture[]>([]);
  const [phase, setPhase] = useState<'editing' | 'uploading' | 'posting'>('editing');
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);
  const picturesRef = useRef(pictures);
  picturesRef.current = pictures;
  const headingId = useId();
  const textId = useId();

  // Previews are local blob: URLs; they go when the composer does.
  useEffect(() => () => picturesRef.current.forEach((picture) => URL.revokeObjectURL(picture.previewUrl)), []);

  function choose(files: FileList | null): void {
    setNotice(undefined);
    setError(undefined);
    const chosen = [...(files ?? [])];
    const images = chosen.filter((file) => file.type.startsWith('image/'));
    if (images.length < chosen.length) setNotice(t('composer.notPicture'));
    const room = postLimits.maxPictures - pictures.length;
    if (images.length > room) setNotice(t('composer.tooMany', { count: postLimits.maxPictures }));
    const added = images.slice(0, Math.max(room, 0)).map((file) => ({ key: `${file.name}-${file.size}-${Math.random()}`, file, previewUrl: URL.createObjectURL(file) }));
    setPictures((current) => [...current, ...added]);
    if (fileInput.current !== null) fileInput.current.value = '';
  }

  function removePicture(key: string): void {
    setPictures((current) => {
      const gone = current.find((picture) => picture.key === key);
      if (gone !== undefined) URL.revokeObjectURL(gone.previewUrl);
      return current.filter((picture) => picture.key !== key);
    });
  }

  async function post(): Promise<void> {
    setNotice(undefined);
    setError(undefined);
    if (text.trim() === '' && pictures.length === 0) {
      setNotice(t('composer.empty'));
      return;
    }
    try {
      // Before the pictures upload: offline, they could not, and the words should say why.
      requireConnection();
      setPhase('uploading');
      const attachments: string[] = [];
      // One at a time, in the order chosen: the post shows them in that order.
      for (const picture of pictures) attachments.push((await uploadFile(picture.file)).attachmentId);
      setPhase('posting');
      await useFeed.getState().publish({ kind, text: text.trim(), attachments, visibleTo: audience });
      pictures.forEach((picture) => URL.revokeObjectURL(picture.previewUrl));
      setPictures([]);
      setText('');
      setNotice(t('composer.posted'));
    } catch (failure) {
      setError(failure);
    } finally {
      setPhase('editing');
    }
  }

  const busy = phase !== 'editing';

  return (
    <section className="composer" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('composer.heading')}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void post();
        }}
      >
        <fieldset className="plain-fieldset composer-kinds">
          <legend className="visually-hidden">{t('composer.kind')}</legend>
          {postKinds.map((option) => (
            <label key={option} className="chip">
              <input type="radio" name="post-kind" value={option} checked={kind === option} onChange={() => setKind(option)} /> {t(option === 'mood' ? 'composer.mood' : 'composer.diary')}
            </label>
          ))}
        </fieldset>
        <label className="visually-hidden" htmlFor={textId}>
          {t(kind === 'mood' ? 'composer.moodText' : 'composer.diaryText')}
        </label>
        <textarea
          id={textId}
          className="composer-text"
          rows={kind === 'mood' ? 2 : 6}
          value={text}
          maxLength={postLimits.maxTextLength}
          placeholder={t(kind === 'mood' ? 'composer.moodText' : 'composer.diaryText')}
          onChange={(event) => setText(event.target.value)}
        />
        {pictures.length > 0 && (
          <ul className="composer-pictures">
            {pictures.map((picture, index) => (
              <li key={picture.key}>
                <img src={picture.previewUrl} alt="" />
                <button type="button" className="icon-button remove-picture" disabled={busy} onClick={() => removePicture(picture.key)} aria-label={t('composer.removePicture', { index: index + 1 })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="composer-bar">
          <label className="file-button">
            <span>{t('composer.pictures')}</span>
            <input ref={fileInput} type="file" accept="image/png,image/jpeg,image/gif,image/webp" multiple disabled={busy} onChange={(event) => choose(event.target.files)} />
          </label>
          <label className="composer-audience">
            <span className="visually-hidden">{t('composer.visibility')}</span>
            <select aria-label={t('composer.visibility')} value={audience} disabled={busy} onChange={(event) => setAudience(postAudiences.find((option) => option === event.target.value) ?? 'contacts')}>
              {postAudiences.map((option) => (
                <option key={option} value={option}>
                  {t(`composer.visible.${option}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {phase === 'uploading' ? t('composer.uploading', { count: pictures.length }) : phase === 'posting' ? t('composer.posting') : t('composer.post')}
          </button>
        </div>
      </form>
      <StatusNotice text={notice} />
      <ErrorNotice error={error} paced="paced.posts" />
    </section>
  );
}
