import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { Picture } from './Picture.js';

export interface ViewedPicture {
  attachmentId: string;
  caption?: string;
}

interface PictureViewerProps {
  pictures: readonly ViewedPicture[];
  startAt: number;
  /** Names the set for screen readers: an album's title, or "Pictures of this post". */
  title: string;
  onClose(): void;
}

/**
 * One picture at a time over the page: the arrow keys (and the buttons) go to the previous and next,
 * Escape closes and gives focus back to the thumbnail that opened it.
 */
export function PictureViewer({ pictures, startAt, title, onClose }: PictureViewerProps) {
  const t = useT();
  const [index, setIndex] = useState(Math.min(Math.max(startAt, 0), Math.max(pictures.length - 1, 0)));
  const panel = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const count = pictures.length;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panel.current?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        closeRef.current();
      } else if (event.key === 'ArrowRight') {
        event.preventDefault();
        setIndex((current) => (current + 1) % Math.max(count, 1));
      } else if (event.key === 'ArrowLeft') {
        event.preventDefault();
        setIndex((current) => (current - 1 + count) % Math.max(count, 1));
      } else if (event.key === 'Tab' && panel.current !== null) {
        // Modal: Tab goes round the viewer's own buttons, never to the page behind.
        const buttons = [...panel.current.querySelectorAll<HTMLElement>('button:not([disabled])')];
        const at = buttons.findIndex((button) => button === document.activeElement);
        const next = buttons[(at + (event.shiftKey ? -1 : 1) + buttons.length + (at === -1 && event.shiftKey ? 1 : 0)) % buttons.length];
        if (next !== undefined) {
          event.preventDefault();
          next.focus();
        }
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      opener?.focus();
    };
  }, [count]);

  const picture = pictures[index];
  if (picture === undefined) return null;
  const position = t('pictures.position', { index: index + 1, count });
  const caption = picture.caption ?? '';

  return (
    <div className="viewer-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className="viewer" role="dialog" aria-modal="true" aria-label={title} aria-describedby="viewer-position" ref={panel} tabIndex={-1}>
        <header className="viewer-header">
          <span id="viewer-position" className="viewer-position" aria-live="polite">
            {position}
          </span>
          <button type="button" className="icon-button viewer-close" onClick={onClose} aria-label={t('common.close')}>
            ×
          </button>
        </header>
        <figure className="viewer-figure">
          <Picture attachmentId={picture.attachmentId} size="full" alt={caption === '' ? position : caption} className="viewer-picture" />
          {caption !== '' && <figcaption>{caption}</figcaption>}
        </figure>
        {count > 1 && (
          <div className="viewer-nav">
            <button type="button" onClick={() => setIndex((index - 1 + count) % count)} aria-label={t('pictures.previous')}>
              ‹
            </button>
            <button type="button" onClick={() => setIndex((index + 1) % count)} aria-label={t('pictures.next')}>
              ›
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
