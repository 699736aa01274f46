import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal reverse proxy on loopback that behaves like nginx's `proxy_add_x_forwarded_for`: it keeps
 * whatever X-Forwarded-For the client sent and appends the address it saw the client connect from.
 */
export async function startReverseProxy(targetUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const server = http.createServer((req, res) => {
    const sent = req.headers['x-forwarded-for'];
    const seen = req.socket.remoteAddress ?? 'unknown';
    const forwarded = typeof sent === 'string' && sent !== '' ? `${sent}, ${seen}` : seen;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': forwarded, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
