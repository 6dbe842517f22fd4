export { foldText, terms } from './normalise.js';
export { DEFAULT_RULE, type ConfidenceRule, type Hit, type Retrieval, Retriever } from './retriever.js';
export { detectSmallTalk, type SmallTalk, stripGreeting } from './smalltalk.js';
