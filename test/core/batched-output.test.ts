import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchedOutput } from '../../src/batched-output.js';
import { FIXTURE_KNOWLEDGE } from '../helpers/server.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('batched output (the CLI answering questions from a file)', () => {
  it('writes what one turn wrote in one go, after the turn', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const out = batchedOutput((t) => writes.push(t));
    out.write('a\n');
    out.write('b\n');
    expect(writes).toEqual([]);
    vi.runAllTimers();
    expect(writes).toEqual(['a\nb\n']);
    out.write('c\n');
    vi.runAllTimers();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once past 64 KB held, and flush writes the rest', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const out = batchedOutput((t) => writes.push(t));
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 70; i++) out.write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(64 * 1024);
    out.flush();
    expect(writes.join('')).toBe(line.repeat(70));
    out.flush();
    vi.runAllTimers();
    expect(writes).toHaveLength(2);
  });

  it('answers a question typed by hand before the input ends', async () => {
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
});
