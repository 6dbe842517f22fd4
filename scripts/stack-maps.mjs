/**
 * Stack traces of the compiled bot that name the TypeScript sources, worked out only when a stack
 * is read. Node's own --enable-source-maps reads and parses every module's map as the module
 * loads: about 25 ms of each start and 2 MB of memory here, for maps that only an error ever
 * needs. This reads a file's map (Node's own SourceMap class does the decoding) the first time a
 * stack passes through that file, and only for files under a dist/ folder, which the build wrote
 * with maps beside them. Any other frame, and any frame that cannot be mapped, stays as V8 wrote
 * it; a failure here never hides the error being reported.
 *   import { installStackMaps } from './stack-maps.mjs'; installStackMaps();
 * Plain JavaScript with no dependencies (scripts/run-built.mjs loads it before the bundle).
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Generated file (path or file URL, as V8 names it) → its map and where it lives, or null. */
const maps = new Map();

function mapOf(file) {
  let found = maps.get(file);
  if (found !== undefined) return found;
  found = null;
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    if (/[\\/]dist[\\/]/.test(path)) {
      const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
      found = { map: new SourceMap(payload), at: pathToFileURL(path) };
    }
  } catch {
    found = null;
  }
  maps.set(file, found);
  return found;
}

/** The frame's place in the TypeScript source, as `path:line:column`, or undefined. */
function sourcePlace(file, line, column) {
  if (!file || !line || !column) return undefined;
  const found = mapOf(file);
  if (!found) return undefined;
  const entry = found.map.findEntry(line - 1, column - 1);
  if (!entry || typeof entry.originalSource !== 'string') return undefined;
  const source = fileURLToPath(new URL(entry.originalSource, found.at));
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

function frameText(frame) {
  const text = String(frame);
  try {
    const file = frame.getFileName();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    const place = sourcePlace(file, line, column);
    return place ? text.replace(`${file}:${line}:${column}`, place) : text;
  } catch {
    return text;
  }
}

function headOf(error) {
  try {
    return error instanceof Error ? Error.prototype.toString.call(error) : String(error);
  } catch {
    return 'Error';
  }
}

/** Makes every stack read from now on name the TypeScript sources where it can. */
export function installStackMaps() {
  Error.prepareStackTrace = (error, frames) =>
    [headOf(error), ...frames.map((f) => `    at ${frameText(f)}`)].join('\n');
}
