import { postAudiences, postKinds, type PostAudience, type PostKind } from '#common/contract/posts.js';

/** Stored values are written by this code; one edited by hand to something unknown reads as the most private. */
export function isAudience(value: string): value is PostAudience {
  return (postAudiences as readonly string[]).includes(value);
}

export function isKind(value: string): value is PostKind {
  return (postKinds as readonly string[]).includes(value);
}
