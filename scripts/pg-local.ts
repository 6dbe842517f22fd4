/**
 * Starts a throw-away PostgreSQL cluster on a free loopback port and prints its DATABASE_URL,
 * for trying the bot (or `cli migrate`) against PostgreSQL without installing a server.
 * Everything is deleted on Ctrl-C. Needs Debian's postgresql package: apt-get install -y postgresql
 */
import { findPostgres, startCluster } from './pg-cluster.js';

const found = findPostgres();
if (!found.ok) {
  process.stderr.write(`PostgreSQL is not available: ${found.reason}\n`);
  process.exit(1);
}
const cluster = await startCluster(found);
await cluster.admin('CREATE DATABASE advisor');
process.stdout.write(
  `A throw-away PostgreSQL is running. In another terminal:\n\n  DATABASE_URL=${cluster.url('advisor')} npm start\n\nCtrl-C stops it and deletes its data.\n`,
);
// Nothing else keeps Node running while the cluster serves: wait for a signal.
const idle = setInterval(() => undefined, 3_600_000);
const stop = async () => {
  clearInterval(idle);
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
