export {
  buildKnowledge,
  formatProblem,
  type Knowledge,
  type KnowledgeProblem,
  loadKnowledge,
  overdueEntries,
  parseEntry,
} from './load.js';
export { type Entry, EntryFrontMatterSchema, SourceSchema } from './schema.js';
