import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type Advisor, createAdvisor } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { FIXTURE_KNOWLEDGE, SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const open: { advisor: Advisor; dir: string }[] = [];
afterEach(async () => {
  for (const { advisor, dir } of open.splice(0)) {
    await advisor.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** Starts an advisor on `knowledge` and returns the messages it logged at warn or above. */
async function warningsFor(knowledge: string): Promise<{ msg: string; file?: string }[]> {
  const lines: { level: number; msg: string; file?: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'sca-declines-'));
  const config = loadConfig({
    KNOWLEDGE_DIR: knowledge,
    DATA_DIR: dir,
    ESCALATION_ENABLED: 'false',
  });
  const advisor = await createAdvisor(config, createLogger('info', sink), {
    clock: fixedClock('2026-11-27T01:00:00Z'),
  });
  open.push({ advisor, dir });
  return lines.filter((l) => l.level >= 40);
}

describe('knowledge without curated declines', () => {
  it('says at start-up that answers will suffer, and which file would mend it', async () => {
    const warned = (await warningsFor(FIXTURE_KNOWLEDGE)).find((l) =>
      /no curated examples of declined questions/.test(l.msg),
    );
    expect(warned?.msg).toMatch(/fewer right answers/);
    expect(warned?.file).toBe(join(FIXTURE_KNOWLEDGE, 'out-of-scope.yaml'));
  });

  it('says nothing of the kind for the shipped knowledge, which has them', async () => {
    const warned = await warningsFor(SHIPPED_KNOWLEDGE);
    expect(warned.map((l) => l.msg).join('\n')).not.toMatch(/declined questions/);
  });
});
