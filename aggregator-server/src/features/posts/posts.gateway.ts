import { rooms, type RealtimeServer } from '../../realtime/realtime-gateway.js';
import type { PostsOutlet } from './posts.live.js';

/** Live posts, comments and likes to the online devices of the given users, on any node (through the socket.io adapter). */
export function socketPostsOutlet(io: RealtimeServer): PostsOutlet {
  return {
    post: (userIds, view) => {
      if (userIds.length > 0) io.to(userIds.map(rooms.user)).emit('post', view);
    },
    removed: (userIds, event) => {
      if (userIds.length > 0) io.to(userIds.map(rooms.user)).emit('post:removed', event);
    },
    comment: (userIds, event) => {
      if (userIds.length > 0) io.to(userIds.map(rooms.user)).emit('post:comment', event);
    },
    commentRemoved: (userIds, event) => {
      if (userIds.length > 0) io.to(userIds.map(rooms.user)).emit('post:comment:removed', event);
    },
    likes: (userIds, event) => {
      if (userIds.length > 0) io.to(userIds.map(rooms.user)).emit('post:likes', event);
    },
  };
}
