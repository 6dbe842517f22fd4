/**
 * Run by `npm run build` after compiling: parses the knowledge folder (KNOWLEDGE_DIR, default
 * ./knowledge) and trains the intent classifier on it, keeping both in dist/cache, so the first
 * start loads them instead. Anything that goes wrong is only a warning: the bot then trains
 * at start-up, as it would for knowledge changed after the build.
 */
import { loadContent } from './app.js';
import { loadConfig } from './config.js';
import { BUILD_CACHE } from './paths.js';
import { Retriever } from './retrieval/index.js';

try {
  const { knowledge } = await loadContent(loadConfig().KNOWLEDGE_DIR, [BUILD_CACHE]);
  new Retriever(knowledge, undefined, undefined, [BUILD_CACHE]);
  process.stderr.write(`Trained the answer classifier on ${knowledge.entries.length} entries.\n`);
} catch (err) {
  process.stderr.write(
    `Could not train the answer classifier ahead of time (${(err as Error).message.split('\n')[0]}); the bot will train it at start-up.\n`,
  );
}
