import { defineRoutes } from '../route.js';
import {
  conversationParams,
  conversationView,
  createGroupRequest,
  groupMemberParams,
  historyQuery,
  messagesPage,
  renameGroupRequest,
} from '../messages.js';
import { z } from 'zod';

const tag = 'messages';

/** Conversations, their history and groups; messages themselves travel over the socket. */
export const messagesRoutes = defineRoutes({
  conversations: {
    method: 'get',
    path: '/v1/conversations',
    auth: 'session',
    tag,
    summary: 'My conversations, newest activity first, with unread counts.',
    response: { kind: 'json', status: 200, schema: z.array(conversationView), description: 'The conversations.' },
    errors: [],
  },
  conversationMessages: {
    method: 'get',
    path: '/v1/conversations/:id/messages',
    auth: 'session',
    tag,
    summary: 'A page of a conversation\'s retained history, newest first, before a sequence number.',
    params: conversationParams,
    query: historyQuery,
    response: { kind: 'json', status: 200, schema: messagesPage, description: 'The messages.' },
    errors: ['not_found'],
  },
  createGroup: {
    method: 'post',
    path: '/v1/groups',
    auth: 'session',
    tag,
    summary: 'Start a group with some of my contacts (each must not have blocked me).',
    body: createGroupRequest,
    response: { kind: 'json', status: 201, schema: conversationView, description: 'The group.' },
    errors: ['not_a_contact'],
  },
  renameGroup: {
    method: 'put',
    path: '/v1/groups/:id',
    auth: 'session',
    tag,
    summary: 'Rename a group I belong to.',
    params: conversationParams,
    body: renameGroupRequest,
    response: { kind: 'json', status: 200, schema: conversationView, description: 'The group.' },
    errors: ['not_found'],
  },
  addGroupMember: {
    method: 'put',
    path: '/v1/groups/:id/members/:userId',
    auth: 'session',
    tag,
    summary: 'Add one of my contacts to a group I belong to; they receive messages from now on.',
    params: groupMemberParams,
    response: { kind: 'empty', status: 204, description: 'A member.' },
    errors: ['not_found', 'not_a_contact'],
  },
  removeGroupMember: {
    method: 'delete',
    path: '/v1/groups/:id/members/:userId',
    auth: 'session',
    tag,
    summary: 'Remove a member from a group I belong to; removing myself leaves it. They receive nothing after.',
    params: groupMemberParams,
    response: { kind: 'empty', status: 204, description: 'Not a member any more.' },
    errors: ['not_found'],
  },
});
