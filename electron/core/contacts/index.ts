export { mergeBoundContacts, type BoundContactsMerge, type BoundSource, type SourceFailure } from './merge-bound.js';
