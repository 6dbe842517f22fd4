import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findRegion,
  nzHolidays,
  prepareHolidays,
  readPrepared,
} from '../../src/escalation/holidays.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holidays-'));
  prepareHolidays(dir, 2026);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('public holidays worked out by the build', () => {
  it('holds every calendar for last year and the eleven after, as the library gives them', () => {
    const calendars = readPrepared(dir);
    expect(calendars).toBeDefined();
    const national = calendars?.[''] ?? {};
    expect(Object.keys(national)).toHaveLength(12);
    expect(national['2025']).toContain('2025-12-25');
    expect(national['2026']).toContain('2026-07-10'); // Matariki
    expect(national['2036']).toBeDefined();
    // A region's anniversary day, and a district's own (Timaru replaces Canterbury's).
    expect(calendars?.WGN?.['2026']).toContain('2026-01-19');
    const timaru = findRegion('timaru');
    expect(timaru?.region).toBeDefined();
    const key = `${timaru?.state}/${timaru?.region}`;
    const fresh = nzHolidays(timaru);
    expect(calendars?.[key]?.['2027']).toEqual([...fresh.daysIn(2027)]);
  });

  it('is not used when another version of the library made it, or when it is damaged', async () => {
    const file = join(dir, 'holidays.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, JSON.stringify({ ...JSON.parse(good), version: '0.0.1' }));
    expect(readPrepared(dir)).toBeUndefined();
    await writeFile(file, '{ not json');
    expect(readPrepared(dir)).toBeUndefined();
    await writeFile(file, good);
    expect(readPrepared(dir)).toBeDefined();
  });
});
