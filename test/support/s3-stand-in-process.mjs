// A stand-in for an outside S3-compatible service (AWS S3, Ceph, Garage...), which cannot run here:
// s3rver, a small S3 server on Node, as a process of its own. It prints
// one line, `s3 stand-in on http://127.0.0.1:PORT`, once it listens.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) {
  process.stderr.write('usage: s3-stand-in-process.mjs DIRECTORY BUCKET\n');
  process.exit(2);
}
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`s3 stand-in on http://127.0.0.1:${port}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
