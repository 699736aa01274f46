export { importBoundContacts, mergeBoundContacts, sourceFailure, type BoundContactsImport, type BoundContactsMerge, type BoundSource, type SourceFailure } from './merge-bound.js';
export { BoundContacts, type BoundContactsOptions, type BoundContactsSync } from './bound-contacts.js';
