export { analyse, foldText, terms } from './normalise.js';
export {
  type ConfidenceRule,
  DEFAULT_RULE,
  type Hit,
  type Retrieval,
  Retriever,
} from './retriever.js';
export { detectOutOfScope, type OutOfScope } from './scope.js';
export { detectSmallTalk, type SmallTalk, stripGreeting } from './smalltalk.js';
