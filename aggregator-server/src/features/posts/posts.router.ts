import { Router } from 'express';
import { postsRoutes as routes } from '#common/contract/routes/posts.js';
import type { MountRoute } from '../../http/mount-route.js';
import type { AlbumsService } from './albums.service.js';
import type { PostsService } from './posts.service.js';

const cursor = (before: string | undefined) => (before === undefined ? undefined : Number(before));

export function postsRouter(mount: MountRoute, posts: PostsService, albums: AlbumsService): Router {
  const router = Router();
  mount(router, routes.createPost, ({ auth, body }) => posts.create(auth.user.id, body));
  mount(router, routes.post, ({ auth, params }) => posts.get(auth.user.id, params.id));
  mount(router, routes.deletePost, ({ auth, params }) => posts.remove(auth.user.id, params.id));
  mount(router, routes.feed, ({ auth, query }) => posts.feed(auth.user.id, cursor(query.before), query.limit));
  mount(router, routes.feedUnseen, ({ auth }) => posts.unseen(auth.user.id));
  mount(router, routes.markFeedSeen, ({ auth, body }) => posts.markSeen(auth.user.id, body.upTo));
  mount(router, routes.userPosts, ({ auth, params, query }) => posts.userPosts(auth.user.id, params.userId, cursor(query.before), query.limit));
  mount(router, routes.createComment, ({ auth, params, body }) => posts.comment(auth.user.id, params.id, body.text));
  mount(router, routes.postComments, async ({ auth, params }) => ({ comments: await posts.comments(auth.user.id, params.id) }));
  mount(router, routes.deleteComment, ({ auth, params }) => posts.removeComment(auth.user.id, params.id, params.commentId));
  mount(router, routes.likePost, ({ auth, params }) => posts.setLike(auth.user.id, params.id, true));
  mount(router, routes.unlikePost, ({ auth, params }) => posts.setLike(auth.user.id, params.id, false));
  mount(router, routes.createAlbum, ({ auth, body }) => albums.create(auth.user.id, body));
  mount(router, routes.deleteAlbum, ({ auth, params }) => albums.remove(auth.user.id, params.id));
  mount(router, routes.userAlbums, async ({ auth, params }) => ({ albums: await albums.albumsOf(auth.user.id, params.userId) }));
  mount(router, routes.albumPhotos, async ({ auth, params }) => ({ photos: await albums.photos(auth.user.id, params.id) }));
  mount(router, routes.addAlbumPhoto, ({ auth, params, body }) => albums.addPhoto(auth.user.id, params.id, body));
  mount(router, routes.deleteAlbumPhoto, ({ auth, params }) => albums.removePhoto(auth.user.id, params.id, params.photoId));
  return router;
}
