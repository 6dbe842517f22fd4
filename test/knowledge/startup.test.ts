import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('start-up with a broken knowledge file', () => {
  it('stops with a message naming the file, entry and field, and exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sca-broken-'));
    try {
      await mkdir(join(dir, 'knowledge', 'guidance'), { recursive: true });
      await writeFile(
        join(dir, 'knowledge', 'guidance', 'bad-entry.md'),
        '---\nid: bad-entry\ntitle: A broken entry\nquestions: [Why is this broken?]\ntags: [basics]\nsources: []\nreviewed: 2026-11-01\nreviewBy: 2027-05-01\n---\nAn answer that is long enough to pass.\n',
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          KNOWLEDGE_DIR: join(dir, 'knowledge'),
          DATA_DIR: join(dir, 'data'),
          PORT: '0',
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('could not start [knowledge_invalid]');
      expect(run.stderr).toContain(
        'guidance/bad-entry.md, entry "bad-entry", field "sources": needs at least one source',
      );
      expect(run.stdout).not.toContain('is ready');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops with a message naming a bad setting', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\[config_invalid\][\s\S]*PORT: must be a number \(got "eighty"\)/);
  });
});
