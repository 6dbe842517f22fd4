/**
 * Run by `npm run build` after compiling: parses the knowledge folder (KNOWLEDGE_DIR, default
 * ./knowledge) and trains the intent classifier on it, and works out the public holidays of every
 * NZ calendar for the coming years, keeping all of it in dist/cache, so a start loads them instead
 * of doing the work (or loading the holiday library). Anything that goes wrong is only a warning: the bot then trains
 * at start-up, as it would for knowledge changed after the build.
 */
import { loadContent } from './app.js';
import { loadConfig } from './config.js';
import { pruneCache } from './disk-cache.js';
import { prepareHolidays } from './escalation/holidays.js';
import { BUILD_CACHE } from './paths.js';
import { Retriever } from './retrieval/index.js';

/** True once the knowledge's caches are all in place, so older ones may go. */
let prepared = false;

try {
  const config = loadConfig();
  // The contacts file's YAML is kept too when escalation is on; a contacts file with a mistake
  // must not cost the knowledge its cache (the bot reports the mistake when it starts).
  const load = (contacts?: string) => loadContent(config.KNOWLEDGE_DIR, [BUILD_CACHE], contacts);
  const { knowledge } = await (config.ESCALATION_ENABLED
    ? load(config.CONTACTS_FILE).catch(() => load())
    : load());
  // The curated table is built on the first question; the build keeps it ready too.
  new Retriever(knowledge, undefined, undefined, [BUILD_CACHE]).curated.load();
  process.stderr.write(`Trained the answer classifier on ${knowledge.entries.length} entries.\n`);
  prepared = true;
} catch (err) {
  process.stderr.write(
    `Could not train the answer classifier ahead of time (${(err as Error).message.split('\n')[0]}); the bot will train it at start-up.\n`,
  );
}

let holidaysPrepared = false;
try {
  prepareHolidays(BUILD_CACHE, new Date().getFullYear());
  holidaysPrepared = true;
} catch (err) {
  process.stderr.write(
    `Could not work out public holidays ahead of time (${(err as Error).message.split('\n')[0]}); the bot will load the holiday library when it needs it.\n`,
  );
}

// Only after a build that made every cache it needs: the rest belong to knowledge or code that has
// since changed, and nothing would read them again.
if (prepared && holidaysPrepared) {
  const removed = pruneCache(BUILD_CACHE);
  if (removed)
    process.stderr.write(`Removed ${removed} out-of-date cache files from dist/cache.\n`);
}
