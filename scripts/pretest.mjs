// Runs before `npm test`: the browser tests need Debian's Chromium and the PostgreSQL tests need
// Debian's postgresql (initdb, pg_ctl). Installs what is missing when it can (root with apt-get);
// otherwise stops and prints the exact command to run. SKIP_SYSTEM_PACKAGES=1 skips the check.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

if (process.env.SKIP_SYSTEM_PACKAGES === '1') process.exit(0);

const hasChromium = () =>
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((p) => existsSync(p)) ||
  (process.env.CHROMIUM_PATH !== undefined && existsSync(process.env.CHROMIUM_PATH));
const hasPostgres = () => {
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`));
};

const missing = [...(hasChromium() ? [] : ['chromium']), ...(hasPostgres() ? [] : ['postgresql'])];
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
const canApt =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!canApt) {
  process.stderr.write(
    `\nThe tests need ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.\n` +
      `Install with:\n\n  sudo sh -c '${command}'\n\n` +
      'Or run the tests without them: SKIP_SYSTEM_PACKAGES=1 npm test (those tests then skip or fail).\n\n',
  );
  process.exit(1);
}
process.stdout.write(`Installing ${missing.join(' and ')} for the tests (${command})...\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
