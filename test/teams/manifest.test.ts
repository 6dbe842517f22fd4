import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = join(ROOT, 'manifest', 'teams');
const run = promisify(execFile);
const APP_ID = '0b1c2d3e-1111-2222-3333-444455556666';

/** Decodes our own PNGs (8-bit RGBA, filter 0 rows) into size and pixels. */
function decodePng(buf: Buffer) {
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  expect([buf[24], buf[25]]).toEqual([8, 6]);
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    if (buf.toString('ascii', at + 4, at + 8) === 'IDAT')
      idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    expect(raw[row]).toBe(0);
    for (let x = 0; x < width; x++)
      pixels.push([...raw.subarray(row + 1 + x * 4, row + 5 + x * 4)]);
  }
  return { width, height, pixels };
}

describe('Teams app manifest', () => {
  it('validates offline against its bundled schema', async () => {
    const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8'));
    // No network: the schema must come from the package, not from developer.microsoft.com.
    vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')));
    try {
      expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(manifest.manifestVersion).toBe('1.22');
    const [bot] = manifest.bots;
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot.commandLists[0].commands.map((c: any) => c.title)).toEqual([
      'pretrip',
      'report',
      'cases',
      'help',
    ]);
  });

  it('has real PNG icons: colour 192x192, outline 32x32 white on transparent', async () => {
    const color = decodePng(await readFile(join(DIR, 'color.png')));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(color.pixels.every((p) => p[3] === 255)).toBe(true);
    const outline = decodePng(await readFile(join(DIR, 'outline.png')));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.pixels.every(([r, g, b]) => r === 255 && g === 255 && b === 255)).toBe(true);
    const alphas = outline.pixels.map((p) => p[3]!);
    expect(alphas.filter((a) => a === 0).length).toBeGreaterThan(500);
    expect(alphas.filter((a) => a === 255).length).toBeGreaterThan(30);
  });
});

describe('npm run package:teams', () => {
  let dir: string;
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const script = join(ROOT, 'scripts', 'package-teams.ts');
  // Run from an empty folder, so a developer's own .env cannot change the result.
  const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', ...extra });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sca-teams-pkg-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a flat zip of exactly the three files, with the bot id filled in', async () => {
    const out = join(dir, 'app.zip');
    await run(tsx, [script, '--out', out], {
      cwd: dir,
      env: env({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' }),
    });
    const zip = await JSZip.loadAsync(await readFile(out));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    const icon = await zip.file('outline.png')!.async('nodebuffer');
    expect(icon.equals(await readFile(join(DIR, 'outline.png')))).toBe(true);
  });

  it('says which setting to fix when MicrosoftAppId is missing or not a GUID', async () => {
    const missing = await run(tsx, [script, '--out', join(dir, 'x.zip')], {
      cwd: dir,
      env: env({}),
    }).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/MicrosoftAppId is not set/);
    const bad = await run(tsx, [script, '--out', join(dir, 'x.zip')], {
      cwd: dir,
      env: env({ MicrosoftAppId: 'my-bot', MicrosoftAppPassword: 'secret' }),
    }).catch((e) => e);
    expect(bad.stderr).toMatch(/MicrosoftAppId must be a GUID/);
  });
});
