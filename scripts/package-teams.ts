/**
 * Builds the Teams app package a council uploads: a flat zip of manifest.json (with the bot id
 * from MicrosoftAppId), color.png and outline.png.
 *
 *   npm run package:teams                     writes dist/sister-city-advisor-teams.zip
 *   npm run package:teams -- --out file.zip   writes somewhere else
 *   npm run package:teams -- --icons          redraws manifest/teams/*.png (no package)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { loadConfig, loadDotEnv } from '../src/config.js';
import { isAdvisorError } from '../src/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST_DIR = join(ROOT, 'manifest', 'teams');
const DEFAULT_OUT = join(ROOT, 'dist', 'sister-city-advisor-teams.zip');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fails with a message that says what to fix; `main` prints it and exits 1. */
class PackageError extends Error {}

async function buildPackage(out: string): Promise<void> {
  loadDotEnv();
  const appId = loadConfig().MicrosoftAppId;
  if (!appId)
    throw new PackageError(
      'MicrosoftAppId is not set. Set it in .env or the environment to the Microsoft App ID of your Azure Bot registration, then run npm run package:teams again.',
    );
  if (!GUID.test(appId))
    throw new PackageError(`MicrosoftAppId must be a GUID like 0b1c2d3e-...; got "${appId}".`);
  const manifest = JSON.parse(await readFile(join(MANIFEST_DIR, 'manifest.json'), 'utf8'));
  // The app id and the bot id are the same GUID: one registration per council, so each
  // council's package is distinct in its own tenant's app catalogue.
  manifest.id = appId;
  for (const bot of manifest.bots ?? []) bot.botId = appId;
  const problems = await AppManifestUtils.validateAgainstSchema(manifest);
  if (problems.length)
    throw new PackageError(
      `manifest/teams/manifest.json is not valid:\n  - ${problems.join('\n  - ')}`,
    );
  if (JSON.stringify(manifest.developer).includes('example.org'))
    process.stderr.write(
      'Warning: the developer URLs in manifest/teams/manifest.json are still placeholders (example.org). Set your council website, privacy and terms pages before you publish.\n',
    );
  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const icon of ['color.png', 'outline.png'])
    zip.file(icon, await readFile(join(MANIFEST_DIR, icon)));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  process.stdout.write(`Teams app package written to ${out} (bot ${appId}).\n`);
}

// --- Icons: drawn here, so no image tool is needed. Two linked rings: sister cities. ---

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit RGBA, filter 0 on every row). */
function png(
  size: number,
  pixel: (x: number, y: number) => [number, number, number, number],
): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** How much of a pixel two linked rings cover, 0..1, by 4x4 supersampling. */
function rings(size: number, x: number, y: number, scale: number): number {
  const c = size / 2;
  const r = size * 0.2 * scale;
  const w = size * 0.06 * scale;
  let hits = 0;
  for (let i = 0; i < 16; i++) {
    const px = x + ((i % 4) + 0.5) / 4;
    const py = y + (Math.floor(i / 4) + 0.5) / 4;
    for (const cx of [c - r * 0.55, c + r * 0.55]) {
      if (Math.abs(Math.hypot(px - cx, py - c) - r) <= w / 2) {
        hits++;
        break;
      }
    }
  }
  return hits / 16;
}

async function drawIcons(): Promise<void> {
  // Colour: white rings on the accent colour, inside Teams' central safe area.
  const bg = [0x1b, 0x6b, 0x73] as const;
  const color = png(192, (x, y) => {
    const a = rings(192, x, y, 1);
    return [
      Math.round(bg[0] + (255 - bg[0]) * a),
      Math.round(bg[1] + (255 - bg[1]) * a),
      Math.round(bg[2] + (255 - bg[2]) * a),
      255,
    ];
  });
  // Outline: white on transparent, as Teams requires; only the alpha varies.
  const outline = png(32, (x, y) => [255, 255, 255, Math.round(255 * rings(32, x, y, 1.6))]);
  await writeFile(join(MANIFEST_DIR, 'color.png'), color);
  await writeFile(join(MANIFEST_DIR, 'outline.png'), outline);
  process.stdout.write(`Icons written to ${MANIFEST_DIR}.\n`);
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--icons')) return drawIcons();
  const at = args.indexOf('--out');
  const out = at >= 0 && args[at + 1] ? resolve(args[at + 1] as string) : DEFAULT_OUT;
  await buildPackage(out);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known = err instanceof PackageError || isAdvisorError(err);
  process.stderr.write(
    `\nCould not build the Teams app package:\n${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n\n`,
  );
  process.exit(1);
});
