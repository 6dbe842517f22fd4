import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelledDigest } from '../../src/retrieval/examples-digest.js';
import { IntentModel } from '../../src/retrieval/intent.js';
import { RemitModel } from '../../src/retrieval/remit.js';

describe('the digest of the example questions the models learn from', () => {
  it('changes with any text, any label, and where one text ends and the next begins', () => {
    const base = labelledDigest(['can I keep a gift', 'laptop overseas'], ['gifts', 'devices']);
    expect(labelledDigest(['can I keep a gift', 'laptop overseas'], ['gifts', 'devices'])).toBe(
      base,
    );
    expect(
      labelledDigest(['can I keep a gift!', 'laptop overseas'], ['gifts', 'devices']),
    ).not.toBe(base);
    expect(labelledDigest(['can I keep a gift', 'laptop overseas'], ['gifts', 'gifts'])).not.toBe(
      base,
    );
    expect(labelledDigest(['can I keep a gift', 'laptop overseas'])).not.toBe(base);
    expect(labelledDigest(['ab', 'c'])).not.toBe(labelledDigest(['a', 'bc']));
  });

  it('keys the models the same whether the caller hands it over or the model works it out', async () => {
    const texts = ['can I keep a gift from the mayor', 'taking my laptop to China'];
    const labels = ['gifts', 'devices'];
    const examples = texts.map((text, i) => ({ text, label: labels[i] as string }));
    const digest = labelledDigest(texts, labels);
    const dirs = await Promise.all(
      ['a', 'b', 'c'].map((x) => mkdtemp(join(tmpdir(), `digest-${x}-`))),
    );
    const [dirA, dirB, dirC] = dirs as [string, string, string];
    const files = async (dir: string) => (await readdir(dir)).sort();
    try {
      new RemitModel(texts, ['book my flights'], [dirA], labels);
      new RemitModel(texts, ['book my flights'], [dirB], labels, digest);
      expect(await files(dirA)).toHaveLength(2);
      expect(await files(dirB)).toEqual(await files(dirA));
      // Another decline is another remit table, but the same per-entry counts.
      new RemitModel(texts, ['book my flights', 'weather in Suzhou'], [dirB], labels, digest);
      expect((await files(dirB)).filter((f) => f.startsWith('remit-entries-'))).toHaveLength(1);
      expect(await files(dirB)).toHaveLength(3);
      // Trained weights are kept in the process by key: the same key trains (and writes) nothing.
      new IntentModel(examples, [dirC]);
      expect((await files(dirC)).filter((f) => f.startsWith('intent-'))).toHaveLength(1);
      new IntentModel(examples, [dirA], digest);
      expect((await files(dirA)).filter((f) => f.startsWith('intent-'))).toHaveLength(0);
      new IntentModel(examples, [dirA], labelledDigest(texts));
      expect((await files(dirA)).filter((f) => f.startsWith('intent-'))).toHaveLength(1);
    } finally {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    }
  });
});
