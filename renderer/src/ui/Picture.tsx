import { useEffect, useState } from 'react';
import { pictureUrl, type PictureSize } from '../api/attachment-files.js';
import { useT } from '../i18n/i18n.js';

interface PictureProps {
  attachmentId: string;
  size: PictureSize;
  /** What the picture shows, for screen readers; empty for a decorative one (the text beside says it). */
  alt: string;
  className?: string;
}

/**
 * A picture stored on the server, fetched with this session's credentials. Until it arrives a box of
 * the same size holds its place; a picture that cannot be loaded says so in words.
 */
export function Picture({ attachmentId, size, alt, className }: PictureProps) {
  const t = useT();
  const [state, setState] = useState<{ id: string; url?: string; failed?: boolean }>({ id: attachmentId });

  useEffect(() => {
    let current = true;
    pictureUrl(attachmentId, size).then(
      (url) => current && setState({ id: attachmentId, url }),
      () => current && setState({ id: attachmentId, failed: true }),
    );
    return () => {
      current = false;
    };
  }, [attachmentId, size]);

  const classes = `picture ${className ?? ''}`.trim();
  if (state.id === attachmentId && state.url !== undefined) return <img className={classes} src={state.url} alt={alt} decoding="async" />;
  if (state.id === attachmentId && state.failed === true) {
    return (
      <span className={`${classes} picture-missing`} role="img" aria-label={alt === '' ? t('pictures.unavailable') : `${alt} (${t('pictures.unavailable')})`}>
        {t('pictures.unavailable')}
      </span>
    );
  }
  return <span className={`${classes} picture-loading`} role="img" aria-label={alt === '' ? t('common.loading') : alt} aria-busy="true" />;
}
