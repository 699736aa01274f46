import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';

export const LOGIN_HOST = 'login.frobchat.example';
export const PHISHING_HOST = 'login.frobchat-security.example';

/**
 * A STAND-IN for a password network's web site (a third-party site that cannot be reached here): a login
 * form that records what it is posted, a page that moves itself to a look-alike host, and a chat page.
 * Chromium believes it is on https://login.frobchat.example because the browser context routes that
 * origin (and the look-alike) to this loopback server; every other host is refused.
 */
export async function startLoginStandIn() {
  const posts: { username: string; password: string }[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'GET' && url.pathname === '/login') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8"><title>FrobChat</title>
        <form method="post" action="/session"><input id="user" name="username" autocomplete="username">
        <input id="pass" name="password" type="password"><button id="go" type="submit">Sign in</button></form>`);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/moved') {
      // A script redirect to a look-alike host, as a compromised or phishing page would do.
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><script>location.replace('https://${PHISHING_HOST}/login')</script>`);
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/chat/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Chat</title><h1 id="chat">${url.pathname.slice(6).replace(/[^a-z0-9]/gi, '')}</h1>`);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/session') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        posts.push({ username: form.get('username') ?? '', password: form.get('password') ?? '' });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Inbox</title><h1 id="inbox">Welcome</h1>');
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    posts,
    origin,
    /** Routes the stand-in's hosts in `context` to this server and refuses every other host. */
    async routeInto(context: BrowserContext): Promise<void> {
      await context.route('**/*', async (route) => {
        const requested = new URL(route.request().url());
        if (requested.host !== LOGIN_HOST && requested.host !== PHISHING_HOST) return route.abort();
        const response = await route.fetch({ url: origin + requested.pathname + requested.search });
        return route.fulfill({ response });
      });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type LoginStandIn = Awaited<ReturnType<typeof startLoginStandIn>>;
