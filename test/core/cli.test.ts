import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

function cli(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE },
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('cli', () => {
  it('ask prints the answer as a person would read it', () => {
    const run = cli(['ask', 'can I take my laptop overseas?']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Phones and laptops on overseas trips\n\nTake a loan device/);
    expect(run.stdout).toContain(
      'Sources:\n- Fixture source for travel-devices, Test Publisher, August 2025: https://example.org/travel-devices',
    );
  });

  it('ask --json prints exactly one JSON object', () => {
    const run = cli(['ask', '--json', 'What counts as foreign interference?']);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(Object.keys(obj)).toEqual([
      'question',
      'answered',
      'text',
      'sources',
      'entryId',
      'score',
    ]);
    expect(obj).toMatchObject({
      question: 'What counts as foreign interference?',
      answered: true,
      entryId: 'fi-definition',
      sources: [
        {
          title: 'Fixture source for fi-definition',
          publisher: 'Test Publisher',
          url: 'https://example.org/fi-definition',
          date: '2025-08',
        },
      ],
    });
    expect(typeof obj.score).toBe('number');
  });

  it('ask --json gives a register answer its sources and id', () => {
    const run = cli(['ask', '--json', "what are Hamilton's sister cities?"]);
    const obj = JSON.parse(run.stdout);
    expect(obj).toMatchObject({ answered: true, entryId: 'register:hamilton', score: null });
    expect(obj.sources.map((s: any) => s.url)).toEqual([
      'https://example.org/hamilton',
      'https://example.org/register',
    ]);
    expect(Object.keys(obj.sources[0])).toEqual(['title', 'publisher', 'url', 'date']);
    const missing = JSON.parse(cli(['ask', '--json', 'does Kaikoura have sister cities']).stdout);
    expect(missing).toMatchObject({ answered: true, entryId: 'register:not-listed:kaikoura' });
    expect(missing.sources[0].url).toBe('https://globalcities.org.nz/');
  });

  it('ask --json reads one question per line from stdin and answers in order', () => {
    const run = cli(
      ['ask', '--json'],
      'koha\n\nweather in Invercargill\nhow do I report a concern?\n',
    );
    const objs = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objs.map((o) => [o.question, o.answered, o.entryId])).toEqual([
      ['koha', true, 'gifts-koha'],
      ['weather in Invercargill', false, null],
      ['how do I report a concern?', true, 'report-concern'],
    ]);
    expect(objs[1].sources).toEqual([]);
  });

  it('ask --json answers a question typed by hand before the input ends', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'ask', '--json'], {
      env: { ...process.env, KNOWLEDGE_DIR: FIXTURE_KNOWLEDGE },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      let seen = '';
      const first = new Promise<string>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          seen += d.toString('utf8');
          if (seen.includes('\n')) resolve(seen);
        });
      });
      // stdin stays open: the answer must come without it ending.
      child.stdin.write('What counts as foreign interference?\n');
      const line = await first;
      expect(JSON.parse(line.split('\n')[0] ?? '')).toMatchObject({ entryId: 'fi-definition' });
    } finally {
      child.stdin.end();
      child.kill();
    }
  }, 30_000);

  it('knowledge check validates and lists overdue entries', () => {
    const run = cli(['knowledge', 'check']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      ', a sister-city register of 2 councils with 4 relationships, and a list of 5 NZ councils.',
    );
    expect(run.stdout).toContain(
      'Register relationships where sources differ (1):\n  - Invercargill: Suqian',
    );
    // The fixtures cite example.org, which is not a primary source.
    expect(run.stdout).toContain('No primary source (only news reports or copies) (6):');
  });

  it('knowledge check lists every problem of a broken folder and exits 1', async () => {
    const { cp, mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sca-cli-'));
    try {
      await cp(FIXTURE_KNOWLEDGE, dir, { recursive: true });
      const file = join(dir, 'guidance', 'gifts-koha.md');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace('reviewed:', 'related: [nowhere]\nreviewed:'),
      );
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', 'knowledge', 'check'],
        {
          env: { ...process.env, KNOWLEDGE_DIR: dir },
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(
        'entry "gifts-koha", field "related": refers to unknown entry "nowhere"',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('eval prints the question sets side by side, and misses only for the sets that may be studied', () => {
    const run = cli(['eval', '--misses']);
    expect(run.status).toBe(0);
    for (const set of ['suite', 'blind dev', 'blind test', 'fresh 100', 'final42 100'])
      expect(run.stdout).toMatch(new RegExp(`^\\| ${set} \\| \\d+ \\| \\d+ \\| \\d+\\.\\d%`, 'm'));
    expect(run.stdout).toContain('## blind dev');
    expect(run.stdout).not.toContain('## blind test');
    expect(run.stdout).not.toContain('## fresh 100');
    expect(run.stdout).not.toContain('## final42 100');
  });

  it('eval on one file prints its figures and misses', () => {
    const run = cli(['eval', 'test/quality/questions.yaml']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Top-1 accuracy: +\d+\.\d%/);
    expect(run.stdout).toMatch(/Wrong entry: +\d+\.\d%/);
  });

  it('explains usage for an unknown command', () => {
    const run = cli(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown command "frobnicate"');
    expect(run.stderr).toContain('npm run --silent cli -- ask "question"');
  });
});
