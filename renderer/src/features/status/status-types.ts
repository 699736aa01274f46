import { imStatuses } from '#common/contract/socket-events.js';

export type ImStatus = (typeof imStatuses)[number];
export const selectableStatuses: readonly ImStatus[] = imStatuses;
