export {
  buildKnowledge,
  type Knowledge,
  loadKnowledge,
  overdueEntries,
  parseEntry,
} from './load.js';
export {
  loadNzCouncils,
  type NzCouncil,
  type NzCouncils,
  NzCouncilsSchema,
} from './nz-councils.js';
export {
  answerIds,
  askedRegion,
  findCouncils,
  findPartnerCities,
  findPlaces,
  literal,
  notListedId,
  REGISTER_COUNCILS_ID,
} from './places.js';
export { formatProblem, type KnowledgeProblem, withYamlCache } from './problems.js';
export {
  loadRegister,
  placeSlug,
  type Register,
  type RegisterCouncil,
  type RegisterFact,
  RegisterSchema,
  type Relationship,
  registerId,
  TIE_KINDS,
  TIE_STATUSES,
} from './register.js';
export { isPrimarySource, type KnowledgeReview, reviewKnowledge } from './review.js';
export { type Entry, EntryFrontMatterSchema, SourceSchema } from './schema.js';
