export {
  type AnswerModel,
  DEFAULT_MODEL,
  type Features,
  probability,
  withThreshold,
} from './answerability.js';
export {
  Curated,
  curatedDecline,
  curatedFor,
  curatedOwners,
  type DeclinedAs,
  typedAlike,
} from './curated.js';
export { detailMissing, detailsStated } from './detail.js';
export { stripNoise } from './noise.js';
export { analyse, foldText, terms } from './normalise.js';
export { type DenseHit, type Hit, type Retrieval, Retriever } from './retriever.js';
export { DECLINE_KINDS, detectOutOfScope, type OutOfScope } from './scope.js';
export { detectSmallTalk, type SmallTalk, stripGreeting } from './smalltalk.js';
