export {
  buildKnowledge,
  type Knowledge,
  loadKnowledge,
  overdueEntries,
  parseEntry,
} from './load.js';
export { formatProblem, type KnowledgeProblem } from './problems.js';
export {
  findCouncils,
  findPartnerCities,
  loadRegister,
  type Register,
  type RegisterCouncil,
  RegisterSchema,
  type Relationship,
  registerId,
} from './register.js';
export { isPrimarySource, type KnowledgeReview, reviewKnowledge } from './review.js';
export { type Entry, EntryFrontMatterSchema, SourceSchema } from './schema.js';
