/**
 * The consoles' one stylesheet, served at /console/console.css by both consoles (the CSP forbids
 * inline styles). Both mount the same path, so they must serve the same bytes: whichever is
 * mounted last answers it. The build copies this folder's public/ next to the compiled code.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the consoles' stylesheet is served. */
export const CONSOLE_CSS_PATH = '/console/console.css';

let css: Buffer | undefined;

/** The stylesheet's bytes, read once. */
export function consoleCss(): Buffer {
  css ??= readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'public', 'console.css'));
  return css;
}
