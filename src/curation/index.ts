/**
 * The curator's loop: what staff asked that the guidance could not answer, which entries they
 * found unhelpful, and which are due for review. The knowledge console and the weekly digest
 * read it; nothing here leaves the store.
 */
import type { Clock } from '../clock.js';
import type { Knowledge } from '../knowledge/index.js';
import type { Store } from '../storage/types.js';
import { groupQuestions, type UnansweredGroup } from './group.js';
import { type KnowledgeHealth, knowledgeHealth } from './health.js';
import type { UnansweredRecorder } from './unanswered.js';

export { CuratorDigest, DIGEST_HOUR, DIGEST_WEEKDAY, digestReply, digestWeek } from './digest.js';
export {
  GROUP_THRESHOLD,
  groupQuestions,
  jaccard,
  questionTerms,
  type UnansweredGroup,
} from './group.js';
export {
  type EntryDue,
  type EntryFeedback,
  type KnowledgeHealth,
  knowledgeHealth,
} from './health.js';
export { redactQuestion } from './redact.js';
export { type RecordingSettings, type UnansweredEvent, UnansweredRecorder } from './unanswered.js';

/** What the knowledge console shows. */
export interface CurationView {
  health: KnowledgeHealth;
  /** Whether question text is being recorded, and for how long it is kept. */
  recording: { enabled: boolean; retentionDays: number };
  /** Groups of the unanswered questions still kept, the largest first. */
  unanswered: UnansweredGroup[];
  /** Titles of entries by id, for the closest entry of each group. */
  titles: ReadonlyMap<string, string>;
}

/** Reads what a curator needs from the store and the knowledge. */
export class Curation {
  constructor(
    private readonly deps: {
      store: Store;
      knowledge: Knowledge;
      clock: Clock;
      recorder: Pick<UnansweredRecorder, 'enabled' | 'retentionDays'>;
    },
  ) {}

  /** Knowledge health and the grouped unanswered questions, as of now. */
  async view(): Promise<CurationView> {
    const { store, knowledge, clock, recorder } = this.deps;
    const now = clock.now();
    // Purged daily; between purges the view still shows only what the retention period allows.
    const since = new Date(now.getTime() - recorder.retentionDays * 24 * 3600_000).toISOString();
    const [feedback, questions] = await Promise.all([
      store.listFeedback(),
      store.listUnanswered(since),
    ]);
    return {
      health: knowledgeHealth(knowledge, feedback, now),
      recording: { enabled: recorder.enabled, retentionDays: recorder.retentionDays },
      unanswered: groupQuestions(questions),
      titles: new Map(knowledge.entries.map((e) => [e.id, e.title])),
    };
  }
}
